#!/bin/sh
# SPDX-License-Identifier: MIT
# check_link_cycles.sh FILE...: fail when the object files of a library depend on each other in
# a cycle.
#
# FILEs are object files and/or static archives (each archive member counts as one object).
# Object A depends on object B when A leaves a symbol undefined that B defines. The script
# prints that dependency graph (one line per edge, with the symbols behind it) and exits 0 when
# it has no cycle; otherwise it prints one cycle and exits 1 (2 for a usage or nm error).
# Symbols nobody in the set defines (libc, libpthread) are ignored.
#
# Layering is what keeps a library readable: a file should build on the files below it, never
# on one above it. ctest runs this on libgoc's objects (core/tests/CMakeLists.txt) and on
# chanbench's (bench/tests/CMakeLists.txt); any other library can run it the same way. NM names
# the nm to use (default nm); only POSIX nm options (-A -P) are used.
#
# LAYERS, when set, is a list of folder names from the lowest layer to the highest (for
# chanbench "model measure peers scenarios output commands"): an object belongs to the layer
# whose name is a folder of its path, and one that depends on an object of a higher layer is a
# layering violation, printed with its symbols (exit 1), as a cycle is.
set -u

if [ "$#" -eq 0 ]; then
    echo "usage: $0 OBJECT_OR_ARCHIVE..." >&2
    exit 2
fi

nm_out=$(${NM:-nm} -A -P "$@") || {
    echo "$0: ${NM:-nm} failed" >&2
    exit 2
}

printf '%s\n' "$nm_out" | awk -v layers="${LAYERS:-}" '
# One nm -A -P line: "FILE: SYMBOL TYPE [VALUE SIZE]", FILE being "archive[member]" for an
# archive member. An object name is its member name, or its path without directories when that
# is unique among the objects (otherwise the whole path).
{
    i = index($0, ": ")
    if (i == 0)
        next
    file = substr($0, 1, i - 1)
    n = split(substr($0, i + 2), f, " ")
    if (n < 2)
        next
    sym = f[1]
    type = f[2]
    if (match(file, /\[[^]]*\]$/))
        file = substr(file, RSTART + 1, RLENGTH - 2)
    if (!(file in seen)) {
        seen[file] = 1
        files[++nfiles] = file
    }
    if (type == "U" || type == "w" || type == "v")
        undef[file, ++nundef[file]] = sym
    else if (type ~ /^[A-Z]$/ && !(sym in definer))
        definer[sym] = file # global: upper-case types other than U
}

# The layer of a file: the position in layers of the first folder of its path that names one,
# 0 for none.
function layer_of(file,   k, parts, np, i) {
    np = split(file, parts, "/")
    for (i = 1; i < np; i++)
        for (k = 1; k <= nlayers; k++)
            if (parts[i] == layer[k])
                return k
    return 0
}

function shown(file,   b) {
    b = file
    sub(/.*\//, "", b)
    return base_count[b] > 1 ? file : b
}

# Depth-first search from n; on a back edge, print the cycle and return 1. color: 0 unvisited,
# 1 on the current path, 2 done.
function dfs(n,   j, m, k, first, line) {
    color[n] = 1
    path[++depth] = n
    for (j = 1; j <= nadj[n]; j++) {
        m = adj[n, j]
        if (color[m] == 1) {
            first = 1
            while (path[first] != m)
                first++
            line = ""
            for (k = first; k <= depth; k++)
                line = line shown(path[k]) " -> "
            print "link cycle: " line shown(m)
            for (k = first; k <= depth; k++)
                print "  " shown(path[k]) " -> " shown(k < depth ? path[k + 1] : m) ": " \
                      why[path[k], k < depth ? path[k + 1] : m]
            return 1
        }
        if (color[m] == 0 && dfs(m))
            return 1
    }
    color[n] = 2
    depth--
    return 0
}

END {
    nlayers = split(layers, layer, " ")
    for (i = 1; i <= nfiles; i++) {
        b = files[i]
        sub(/.*\//, "", b)
        base_count[b]++
    }
    nedges = 0
    for (i = 1; i <= nfiles; i++) {
        a = files[i]
        for (j = 1; j <= nundef[a]; j++) {
            sym = undef[a, j]
            if (!(sym in definer))
                continue
            b = definer[sym]
            if (b == a)
                continue
            if (!((a, b) in why)) {
                adj[a, ++nadj[a]] = b
                why[a, b] = sym
                nedges++
            } else if (length(why[a, b]) < 200) {
                why[a, b] = why[a, b] " " sym
            }
        }
    }
    for (i = 1; i <= nfiles; i++)
        for (j = 1; j <= nadj[files[i]]; j++)
            print shown(files[i]) " -> " shown(adj[files[i], j]) ": " why[files[i], adj[files[i], j]]
    bad = 0
    for (i = 1; i <= nfiles && nlayers > 0; i++) {
        a = files[i]
        la = layer_of(a)
        for (j = 1; j <= nadj[a]; j++) {
            b = adj[a, j]
            lb = layer_of(b)
            if (la > 0 && lb > la) {
                print "layering violation: " shown(a) " (" layer[la] ") -> " shown(b) \
                      " (" layer[lb] "): " why[a, b]
                bad = 1
            }
        }
    }
    if (bad)
        exit 1
    depth = 0
    for (i = 1; i <= nfiles; i++)
        if (color[files[i]] == 0 && dfs(files[i]))
            exit 1
    print nfiles " objects, " nedges " dependencies, no cycle" \
          (nlayers > 0 ? ", layers " layers " respected" : "")
}
'
