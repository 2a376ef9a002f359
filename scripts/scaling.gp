# scaling.gp: throughput against threads, one line per implementation and pin policy.
#
#   gnuplot -e "datafile='results/plots/scaling.dat'; out='results/plots/scaling'" scripts/scaling.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): a line of quoted column names:
# threads, then one column per "implementation, pin policy" in operations per second; '?'
# where not measured. The subtitle says which rows (chan/mpmc, or lock/mutex without them).

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" scaling.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

set datafile missing '?'
set title sprintf("Scaling with threads, per pin policy\n%s\n%s", machine, subtitle) noenhanced
set xlabel "threads"
set ylabel "operations per second, all threads (log scale; higher is better)"
set logscale y
set format y "%.0s%c"
set grid ytics mytics
set key outside right top noenhanced title "implementation, pin policy"
set offsets 0.3, 0.3, 0, 0
# Twelve distinct colours: files of one machine with several pin policies give many lines.
colours = "#9400d3 #009e73 #56b4e9 #e69f00 #f0e442 #0072b2 #e51e10 #000000 #a0522d #ff69b4 #708090 #2e8b57"
do for [k=1:12] { set linetype k linecolor rgb word(colours, k) }
set linetype cycle 12

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1100,650 noenhanced font "sans,10"
    } else {
        set terminal svg size 1100,650 dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    plot for [i=2:*] datafile using 0:i:xtic(1) with linespoints lw 2 pt 7 ps 0.9 \
         title columnheader(i)
    unset output
}
