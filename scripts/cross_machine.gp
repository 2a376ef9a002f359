# cross_machine.gp: per scenario and implementation, the geometric-mean ratio of each results
# file's medians to the first file's (below 1: faster than the first).
#
#   gnuplot -e "datafile='results/plots/cross_machine.dat'; out='results/plots/cross_machine'" \
#           scripts/cross_machine.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): a line of quoted column names:
# group ("chan/spsc goc"), then one column per compared file ("label: host (CPU)") holding
# the ratio; '?' where the file has no benchmark of that group.

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" cross_machine.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

set datafile missing '?'
set title sprintf("Across machines: time per operation relative to the first file\n%s\n%s", machine, subtitle) noenhanced
set ylabel "ratio of median time per operation (1 = same; below 1 = faster)"
set yrange [0:*]
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -40 scale 0 noenhanced
set grid ytics
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc "black" front
set key top left noenhanced box opaque
set bmargin 10

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1300,700 noenhanced font "sans,10"
    } else {
        set terminal svg size 1300,700 dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    plot for [i=2:*] datafile using i:xtic(1) title columnheader(i)
    unset output
}
