# layout.gp: concurrent vs parallel layouts: items per second against threads, one line per
# layout (pipeline, replicated, pool).
#
#   gnuplot -e "datafile='results/plots/layout.dat'; out='results/plots/layout'" scripts/layout.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): a line of quoted column names:
# threads, then one column per layout in items per second; '?' where not measured.

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" layout.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

set datafile missing '?'
set title sprintf("Concurrent vs parallel layouts\n%s\n%s", machine, subtitle) noenhanced
set xlabel "threads"
set ylabel "items per second (higher is better)"
set yrange [0:*]
set format y "%.1s%c"
set grid ytics
set key outside right top noenhanced title "layout"
set offsets 0.3, 0.3, 0, 0

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
