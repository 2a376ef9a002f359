# drift.gp: a run over time: each chunk's wall time per operation relative to its arm's
# median (top) and the core-to-core probe before it (bottom), coloured by machine mode, so the
# machine changing under the run shows.
#
#   gnuplot -e "datafile='results/plots/drift.dat'; out='results/plots/drift'" scripts/drift.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): one block per machine mode, then
# the chunks that straddled two modes, then those without a probe; each block a line of quoted
# column names (the second names the block), then seconds since the first chunk, the chunk's
# time over its arm's median, and the probe's round trip in ns.

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" drift.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

set datafile missing '?'
stats datafile using 0 nooutput
blocks = STATS_blocks
set grid xtics ytics
set key below center horizontal noenhanced
set xrange [0:*]
set logscale y

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1300,800 noenhanced font "sans,10"
    } else {
        set terminal svg size 1300,800 dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    set multiplot layout 2, 1 \
        title sprintf("The run over time\n%s\n%s", machine, subtitle) noenhanced
    set ylabel "chunk time / its arm's median (log)"
    unset xlabel
    set format y "%g"
    plot for [b=0:blocks-1] datafile index b using 1:2 with points pt 7 ps 0.5 \
         title columnheader(2)
    set xlabel "seconds since the first chunk"
    set ylabel "core-to-core round trip, ns (log)"
    plot for [b=0:blocks-1] datafile index b using 1:3 with points pt 7 ps 0.5 \
         title columnheader(2)
    unset multiplot
    unset output
}
