# chan_capacity.gp: channel throughput against capacity, one line per implementation.
#
#   gnuplot -e "datafile='results/plots/chan_capacity.dat'; out='results/plots/chan_capacity'" \
#           scripts/chan_capacity.gp
#
# writes OUT.png and OUT.svg. `chanbench plot` writes the data file (a line of quoted column
# names: capacity, then one column per implementation in messages per second; '?' where a
# point was not measured) and also passes machine='host (CPU)' and subtitle='...'; by hand
# they are read from the data file's '# machine:' and '# subtitle:' lines.

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" chan_capacity.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

set datafile missing '?'
set title sprintf("Channel throughput against capacity\n%s\n%s", machine, subtitle) noenhanced
set xlabel "channel capacity (elements; 0 = unbuffered)"
set ylabel "messages per second (log scale; higher is better)"
set logscale y
set format y "%.0s%c"
set grid ytics mytics
set key outside right top noenhanced title "implementation"
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
