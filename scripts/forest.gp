# forest.gp: a run's paired ratios goc/<impl>, each with its 95 % interval, on a log axis.
#
#   gnuplot -e "datafile='results/plots/forest.dat'; out='results/plots/forest'" scripts/forest.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): a line of quoted column names, then
# one line per benchmark and comparison: its label, the paired ratio, the interval's low and
# high ends, and a class (0 goc faster, 1 no difference, 2 goc slower, 3 the A/A control).

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" forest.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

set datafile missing '?'
stats datafile using 2 nooutput
n = STATS_records
lo = STATS_min
hi = STATS_max
stats datafile using 3 nooutput
lo = STATS_min < lo ? STATS_min : lo
stats datafile using 4 nooutput
hi = STATS_max > hi ? STATS_max : hi
lo = lo > 0.9 ? 0.9 : lo
hi = hi < 1.1 ? 1.1 : hi
# Room for the longest label (tics are in a 9-point font, margins count 10-point characters).
stats datafile using (strlen(strcol(1))) nooutput
left = STATS_max * 0.85 + 3 > 20 ? STATS_max * 0.85 + 3 : 20

set title sprintf("Paired ratios, goc against each implementation\n%s\n%s", machine, subtitle) noenhanced
set xlabel "goc / implementation (log scale; left of 1: goc is faster)"
set logscale x
set xrange [lo / 1.3 : hi * 1.3]
set yrange [n : -1]
set ytics scale 0 font ",9"
set grid xtics mxtics
set key below center horizontal noenhanced
set arrow from 1, graph 0 to 1, graph 1 nohead lw 1.5 lc rgb "black" dt 2
set lmargin left
height = 160 + 22 * n

colour(c) = c == 0 ? 0x1b9e77 : c == 1 ? 0x7f7f7f : c == 2 ? 0xd95f02 : 0x7570b3
do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1200,height noenhanced font "sans,10"
    } else {
        set terminal svg size 1200,height dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    plot datafile using 2:0:3:4:(colour($5)):ytic(1) with xerrorbars lc rgb variable pt 7 ps 1 \
         lw 1.5 notitle, \
         NaN with points pt 7 lc rgb "#1b9e77" title "goc faster", \
         NaN with points pt 7 lc rgb "#7f7f7f" title "no difference (interval holds 1)", \
         NaN with points pt 7 lc rgb "#d95f02" title "goc slower", \
         NaN with points pt 7 lc rgb "#7570b3" title "A/A control (must read 1)"
    unset output
}
