# locks.gp: mutex vs rwmutex vs pthread vs spin, against threads (left) and read share (right).
#
#   gnuplot -e "datafile='results/plots/locks.dat'; out='results/plots/locks'" scripts/locks.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): block 0 (index 0) has threads,
# then lock+unlock operations per second per lock; block 1 (index 1, optional) has the read
# share in percent, then the same per lock (a mutex, having no read share, is flat).

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" locks.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

set datafile missing '?'
stats datafile using 0 nooutput
blocks = STATS_blocks
set ylabel "lock+unlock per second, all threads (log scale; higher is better)"
set logscale y
set format y "%.0s%c"
set grid ytics mytics
set key below center horizontal noenhanced
set bmargin 8
set offsets 0.3, 0.3, 0, 0

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1300,650 noenhanced font "sans,10"
    } else {
        set terminal svg size 1300,650 dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    set multiplot layout 1, blocks \
        title sprintf("Mutex, rwmutex, pthread and spin locks\n%s\n%s", machine, subtitle) noenhanced
    set xlabel "threads"
    plot for [i=2:*] datafile index 0 using 0:i:xtic(1) with linespoints lw 2 pt 7 ps 0.9 \
         title columnheader(i)
    if (blocks > 1) {
        set xlabel "read share (% of operations taking the read lock)"
        plot for [i=2:*] datafile index 1 using 0:i:xtic(1) with linespoints lw 2 pt 7 ps 0.9 \
             title columnheader(i)
    }
    unset multiplot
    unset output
}
