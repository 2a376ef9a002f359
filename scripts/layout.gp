# layout.gp: concurrent vs parallel layouts: items per second against threads, one line per
# layout (pipeline, replicated, pool), or per layout and implementation.
#
#   gnuplot -e "datafile='results/plots/layout.dat'; out='results/plots/layout'" scripts/layout.gp
#
# writes OUT.png and OUT.svg. Data (from `chanbench plot`): a line of quoted column names:
# threads, then one column per layout in items per second; '?' where not measured. A file of
# several implementations names its columns "LAYOUT (IMPL)": each implementation gets a colour
# of its own, each layout a dash pattern and point shape, so that both read off the lines.

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
set offsets 0.3, 0.3, 0, 0

# The column names, as one line of quoted words (word() keeps a quoted name whole).
header = system("grep -m 1 '^\"' '".datafile."'")
ncols = words(header)
# A column's implementation, "(goc)", and its place among the file's implementations in order
# of first appearance; its layout's place among pipeline, replicated, pool (4: another).
impl_of(i) = word(word(header, i), 2)
impls = ""
do for [i=2:ncols] {
    if (impl_of(i) ne "" && strstrt(impls, " ".impl_of(i)." ") == 0) { impls = impls." ".impl_of(i)." " }
}
impl_at(i) = sum [k=1:words(impls)] (word(impls, k) eq impl_of(i) ? k : 0)
layout_at(i) = word(word(header, i), 1) eq "pipeline" ? 1 : \
               word(word(header, i), 1) eq "replicated" ? 2 : \
               word(word(header, i), 1) eq "pool" ? 3 : 4
many = words(impls) > 0
colours = "#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #e6ab02 #a6761d #666666"
colour(i) = word(colours, ((many ? impl_at(i) : layout_at(i)) - 1) % 8 + 1)
dash(i) = many ? layout_at(i) : 1
point(i) = word("7 5 9 11", layout_at(i)) + 0
set key outside right top noenhanced title (many ? "layout (implementation)" : "layout")

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1100,650 noenhanced font "sans,10"
    } else {
        set terminal svg size 1100,650 dynamic noenhanced font "sans,10" background "white"
    }
    set output out.".".fmt
    plot for [i=2:ncols] datafile using 0:i:xtic(1) with linespoints lw 2 ps 0.9 \
         lc rgb colour(i) dt dash(i) pt point(i) title columnheader(i)
    unset output
}
