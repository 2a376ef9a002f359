# cancel.gp: cancellation latency against the number of blocked workers.
#
#   gnuplot -e "datafile='results/plots/cancel.dat'; out='results/plots/cancel'" scripts/cancel.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): a line of quoted column names:
# workers, then three columns per implementation (goc, go, crossbeam; "SCENARIO IMPL" should
# the family have several scenarios): median, min, max in microseconds.

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" cancel.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

set datafile missing '?'
set title sprintf("Cancellation latency\n%s\n%s", machine, subtitle) noenhanced
set xlabel "workers blocked on the done channel"
set ylabel "time until all have returned, µs (lower is better)"
set yrange [0:*]
set grid ytics
set key outside right top noenhanced title "implementation"
set offsets 0.3, 0.3, 0, 0

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1100,650 noenhanced font "sans,10"
    } else {
        set terminal svg size 1100,650 dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    plot for [i=2:*:3] datafile using 0:i:i+1:i+2:xtic(1) with yerrorlines lw 2 pt 7 ps 0.9 \
         title columnheader(i)
    unset output
}
