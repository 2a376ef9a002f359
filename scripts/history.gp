# history.gp: one benchmark across the runs of one machine, oldest first: each run's median
# wall time per operation with its 95 % interval, and the runs whose change from the run before
# is significant (two-sided Mann-Whitney U over the two runs' rounds, p < 0.05, the test of
# chanbench compare) marked, with the change in per cent.
#
#   gnuplot -e "datafile='DIR/history-NAME.dat'; out='DIR/history-NAME'" scripts/history.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench store history BENCH --out DIR`): one line per
# run: its position (0 the oldest), the median ns per operation, the interval's low and high,
# a class (0 the first run or no significant change, 1 significantly slower, 2 significantly
# faster, 3 too few rounds to test), the change from the run before in per cent, and a quoted
# label (commit and date).

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" history.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

stats datafile using 1 nooutput
runs = STATS_records
# At most about 25 labels on the axis, whatever the number of runs.
step = runs > 25 ? ceil(runs / 25.0) : 1
set grid ytics
set key below center horizontal noenhanced
set xrange [-0.5:runs - 0.5]
set yrange [0:*]
set xtics rotate by -35 noenhanced font ",8"
set ylabel "median wall time per operation, ns"
set xlabel "runs, oldest first (commit, date)"
label(i, s) = (int(i) % step == 0) ? s : ""
sig(c) = (c == 1 || c == 2)

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1200,700 noenhanced font "sans,10"
    } else {
        set terminal svg size 1200,700 dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    set title sprintf("History of one benchmark\n%s\n%s", machine, subtitle) noenhanced
    plot datafile using 1:2 with lines lc rgb "#4477aa" lw 1.5 notitle, \
         '' using 1:2:3:4:xtic(label($1, stringcolumn(7))) with yerrorbars pt 7 ps 0.7 \
            lc rgb "#4477aa" title "median, 95% interval", \
         '' using 1:($5 == 1 ? $2 : 1/0) with points pt 9 ps 2 lc rgb "#cc3311" \
            title "significantly slower than the run before", \
         '' using 1:($5 == 2 ? $2 : 1/0) with points pt 11 ps 2 lc rgb "#228833" \
            title "significantly faster than the run before", \
         '' using 1:(sig($5) ? $4 : 1/0):(sprintf("%+.1f%%", $6)) with labels offset 0,1 \
            font ",9" notitle
    unset output
}
