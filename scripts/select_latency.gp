# select_latency.gp: select fan-in latency percentiles against the number of inputs, log scale.
#
#   gnuplot -e "datafile='results/plots/select_latency.dat'; out='results/plots/select_latency'" \
#           scripts/select_latency.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): a line of quoted column names:
# inputs k, then four columns per implementation ("goc p50", "goc p90", "goc p99",
# "goc p99.9") in ns. One colour per implementation, one dash pattern per percentile.

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" select_latency.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

set datafile missing '?'
set title sprintf("Select fan-in latency percentiles\n%s\n%s", machine, subtitle) noenhanced
set xlabel "inputs k (producers, each on its own channel)"
set ylabel "send-to-receive latency, ns (log scale)"
set logscale y
set format y "%g"
set grid ytics mytics
set key outside right top noenhanced title "implementation, percentile"
set offsets 0.3, 0.3, 0, 0

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1100,650 noenhanced font "sans,10"
    } else {
        set terminal svg size 1100,650 dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    plot for [i=2:*] datafile using 0:i:xtic(1) with linespoints lw 2 ps 0.9 \
         lc ((i - 2) / 4 + 1) dt 1 + (i - 2) % 4 pt ((i - 2) % 4 + 5) title columnheader(i)
    unset output
}
