# machines.gp: the machines of the results store side by side, each by its latest run. Left,
# every chan/ and select/ benchmark's median wall time per operation over that machine's
# hardware floor (chan/pingpong: c2c_round_trip_ns, the others: ring_ns_per_msg), one dot per
# machine; right, the paired ratios goc/go and goc/crossbeam of each machine with their 95 %
# intervals. Both on log axes; one colour per machine in both panels.
#
#   gnuplot -e "datafile='DIR/machines.dat'; out='DIR/machines'" scripts/machines.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench store machines --out DIR`): a line
# "# counts: BENCHMARKS MACHINES RATIOS"; block 0, a line of quoted names ("benchmark", then
# each machine as "HOST (CPU)") and a line per benchmark: its name, then each machine's time
# over its floor; two empty lines; block 1, a line of names and a line per ratio: its name,
# then per machine the ratio and its interval's low and high. '?' where a machine has none.

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" machines.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }
counts = system("sed -n 's/^# counts: //p' '".datafile."' | head -n 1")
nb = int(word(counts, 1))
nm = int(word(counts, 2))
np = int(word(counts, 3))
# The machines' names, for the legend: the quoted fields of block 0's first line.
names = system("sed -n '/^\"benchmark\"/{p;q}' '".datafile."'")
mname(i) = system("printf '%s\\n' '".names."' | awk -F'\"' '{print $".(2 * i + 4)."}'")

set datafile missing '?'
# Colour-blind-safe colours (Paul Tol's bright scheme), one per machine, in the legend's order.
colour(i) = word("#4477aa #ee6677 #228833 #ccbb44 #66ccee #aa3377 #bbbbbb #000000", i % 8 + 1)
# Within a benchmark's row, the machines' dots side by side, a little apart.
band = 0.7
dy(i) = nm > 1 ? (i - (nm - 1) / 2.0) * band / nm : 0

rows = nb > np ? nb : np
rows = rows > 0 ? rows : 1
height = 260 + 18 * rows
# Room for the longest label (tics in an 8-point font, margins count 10-point characters).
longest = int(system("awk -F'\"' '/^\"/ && !/^\"benchmark/ {if (length($2) > n) n = length($2)} END {print n + 0}' '".datafile."'"))
left = longest * 0.8 + 3 > 20 ? longest * 0.8 + 3 : 20
panels = (nb > 0) + (np > 0)
width = panels > 1 ? 1800 : 1100

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size width,height noenhanced font "sans,10"
    } else {
        set terminal svg size width,height dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    set multiplot layout 1,(panels > 0 ? panels : 1) \
        title sprintf("Machines side by side, the latest run of each\n%s\n%s", machine, subtitle) noenhanced
    set logscale x
    set ytics scale 0 font ",8" noenhanced
    set grid xtics mxtics
    set lmargin left
    set bmargin 6 + (nm + 1) / 2

    if (nb > 0) {
        set title "Time per operation over the machine's floor" noenhanced
        set xlabel "time per operation / the machine's floor (log scale; 1: the floor)"
        set yrange [nb : -1]
        set key below center horizontal maxrows (nm + 1) / 2 noenhanced
        set arrow 1 from 1, graph 0 to 1, graph 1 nohead lw 1.5 lc rgb "black" dt 2
        # The first plot holds 1 on the axis (the floor) and puts the names on the y axis.
        plot datafile index 0 every ::1 using (1):0:ytic(1) with points ps 0 notitle, \
             for [i=0:nm-1] '' index 0 every ::1 using (column(i + 2)):($0 + dy(i)) \
                with points pt 7 ps 0.8 lc rgb colour(i) title mname(i)
        unset arrow 1
    }
    if (np > 0) {
        set title "Paired ratios goc/go and goc/crossbeam (wall time, all rounds), 95% intervals" noenhanced
        set xlabel "goc / go, goc / crossbeam (log scale; left of 1: goc is faster)"
        set yrange [np : -1]
        set key below center horizontal maxrows (nm + 1) / 2 noenhanced
        set arrow 2 from 1, graph 0 to 1, graph 1 nohead lw 1.5 lc rgb "black" dt 2
        plot datafile index 1 every ::1 using (1):0:ytic(1) with points ps 0 notitle, \
             for [i=0:nm-1] '' index 1 every ::1 \
                using (column(3 * i + 2)):($0 + dy(i)):(column(3 * i + 3)):(column(3 * i + 4)) \
                with xerrorbars pt 7 ps 0.7 lw 1.2 lc rgb colour(i) title mname(i)
        unset arrow 2
    }
    if (panels == 0) {
        set title "no chan/ or select/ benchmark with a floor, and no paired ratio" noenhanced
        unset logscale x
        set xrange [0:1]
        set yrange [0:1]
        plot NaN notitle
    }
    unset multiplot
    unset output
}
