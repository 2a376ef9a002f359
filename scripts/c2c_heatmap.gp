# c2c_heatmap.gp: core-to-core round trip of one cache line, PU by PU.
#
#   gnuplot -e "datafile='results/plots/c2c_heatmap.dat'; out='results/plots/c2c_heatmap'" \
#           scripts/c2c_heatmap.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): a matrix; the first line names the
# responding PUs, each following line starts with the initiating PU; values in ns, NaN where
# not measured (the diagonal, or pairs not sampled).

if (!exists("datafile")) { exit error "usage: gnuplot -e \"datafile='X.dat'; out='X'\" c2c_heatmap.gp" }
if (!exists("out")) { out = datafile[1:strlen(datafile) - 4] }
if (!exists("machine")) { machine = system("sed -n 's/^# machine: //p' '".datafile."' | head -n 1") }
if (!exists("subtitle")) { subtitle = system("sed -n 's/^# subtitle: //p' '".datafile."' | head -n 1") }

stats datafile matrix rowheaders columnheaders using 3 nooutput
npu = int(sqrt(STATS_records) + 0.5)
set title sprintf("Core-to-core latency\n%s\n%s", machine, subtitle) noenhanced
set xlabel "PU (responder)"
set ylabel "PU (initiator)"
set cblabel "round trip, ns"
set cbrange [0:*]
set yrange [*:*] reverse
set size ratio -1
set tics scale 0
set palette defined (0 "#ffffcc", 0.35 "#fecc5c", 0.7 "#fd8d3c", 1 "#e31a1c")
set key off
fontsize = npu <= 8 ? 10 : (npu <= 16 ? 8 : 6)
size = npu <= 16 ? 900 : 1200

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size size, size * 0.8 noenhanced font "sans,10"
    } else {
        set terminal svg size size, size * 0.8 dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    if (npu <= 32) {
        plot datafile matrix rowheaders columnheaders using 1:2:3 with image, \
             '' matrix rowheaders columnheaders using 1:2:($3 == $3 ? sprintf("%.0f", $3) : "") \
                with labels font sprintf(",%d", fontsize)
    } else {
        plot datafile matrix rowheaders columnheaders using 1:2:3 with image
    }
    unset output
}
