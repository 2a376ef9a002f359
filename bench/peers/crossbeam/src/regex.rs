// SPDX-License-Identifier: MIT
// A small backtracking regular-expression matcher for --filter (no regex crate offline).
// Supports what benchmark filters use: literals, '.', [classes] with ranges and '^', \d \w \s
// (and \D \W \S), escaped metacharacters, groups ( ) and (?: ), '|', '*', '+', '?', {m}, {m,},
// {m,n} (a trailing '?' for laziness is accepted and ignored), anchors '^' and '$'. Matching is
// a search anywhere in the name, as Google Benchmark's and Go's filters do.

enum Node {
    Lit(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Bol,
    Eol,
    Cat(Vec<Node>),
    Alt(Vec<Node>),
    Rep(Box<Node>, u32, Option<u32>),
}

pub struct Regex {
    root: Node,
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn alt(&mut self) -> Result<Node, String> {
        let mut arms = vec![self.cat()?];
        while self.peek() == Some('|') {
            self.i += 1;
            arms.push(self.cat()?);
        }
        Ok(if arms.len() == 1 {
            arms.pop().unwrap()
        } else {
            Node::Alt(arms)
        })
    }

    fn cat(&mut self) -> Result<Node, String> {
        let mut v = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            v.push(self.quantified(atom)?);
        }
        Ok(Node::Cat(v))
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
            self.i += 1;
        }
        self.s[start..self.i]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, String> {
        let mut node = atom;
        loop {
            let (min, max) = match self.peek() {
                Some('*') => (0, None),
                Some('+') => (1, None),
                Some('?') => (0, Some(1)),
                Some('{') => {
                    let save = self.i;
                    self.i += 1;
                    match self.number() {
                        Some(m) => {
                            let max = if self.peek() == Some(',') {
                                self.i += 1;
                                if self.peek() == Some('}') {
                                    None
                                } else {
                                    Some(self.number().ok_or("bad {m,n}")?)
                                }
                            } else {
                                Some(m)
                            };
                            if self.peek() != Some('}') {
                                return Err("unterminated {m,n}".into());
                            }
                            (m, max)
                        }
                        None => {
                            self.i = save; // a literal '{'
                            return Ok(node);
                        }
                    }
                }
                _ => return Ok(node),
            };
            self.i += 1;
            if self.peek() == Some('?') {
                self.i += 1;
            }
            node = Node::Rep(Box::new(node), min, max);
        }
    }

    fn escape(&mut self) -> Result<Node, String> {
        let c = self.peek().ok_or("trailing backslash")?;
        self.i += 1;
        let digit = vec![('0', '9')];
        let word = vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
        let space = vec![(' ', ' '), ('\t', '\r')];
        Ok(match c {
            'd' => Node::Class(digit, false),
            'D' => Node::Class(digit, true),
            'w' => Node::Class(word, false),
            'W' => Node::Class(word, true),
            's' => Node::Class(space, false),
            'S' => Node::Class(space, true),
            't' => Node::Lit('\t'),
            'n' => Node::Lit('\n'),
            c => Node::Lit(c),
        })
    }

    fn class(&mut self) -> Result<Node, String> {
        let neg = self.peek() == Some('^');
        if neg {
            self.i += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek().ok_or("unterminated [class]")?;
            self.i += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = if c == '\\' {
                match self.escape()? {
                    Node::Lit(l) => l,
                    Node::Class(r, false) => {
                        ranges.extend(r);
                        continue;
                    }
                    _ => return Err("negated escape inside [class]".into()),
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.s.get(self.i + 1).map_or(false, |&n| n != ']') {
                self.i += 1;
                let mut hi = self.peek().ok_or("unterminated [class]")?;
                self.i += 1;
                if hi == '\\' {
                    hi = match self.escape()? {
                        Node::Lit(h) => h,
                        _ => return Err("bad range in [class]".into()),
                    };
                }
                if hi < lo {
                    return Err("reversed range in [class]".into());
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Node::Class(ranges, neg))
    }

    fn atom(&mut self) -> Result<Node, String> {
        let c = self.peek().unwrap();
        self.i += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Bol,
            '$' => Node::Eol,
            '\\' => self.escape()?,
            '[' => self.class()?,
            '(' => {
                if self.peek() == Some('?') {
                    if self.s.get(self.i + 1) == Some(&':') {
                        self.i += 2;
                    } else {
                        return Err("only (?: ) groups are supported".into());
                    }
                }
                let inner = self.alt()?;
                if self.peek() != Some(')') {
                    return Err("missing )".into());
                }
                self.i += 1;
                inner
            }
            '*' | '+' | '?' => return Err(format!("nothing to repeat before {:?}", c)),
            c => Node::Lit(c),
        })
    }
}

type Cont<'k> = &'k mut dyn FnMut(usize) -> bool;

fn mt(n: &Node, s: &[char], i: usize, k: Cont) -> bool {
    match n {
        Node::Lit(c) => i < s.len() && s[i] == *c && k(i + 1),
        Node::Any => i < s.len() && k(i + 1),
        Node::Class(r, neg) => {
            i < s.len() && (r.iter().any(|&(a, b)| a <= s[i] && s[i] <= b) != *neg) && k(i + 1)
        }
        Node::Bol => i == 0 && k(i),
        Node::Eol => i == s.len() && k(i),
        Node::Cat(v) => cat(v, s, i, k),
        Node::Alt(arms) => {
            for a in arms {
                if mt(a, s, i, k) {
                    return true;
                }
            }
            false
        }
        Node::Rep(a, min, max) => rep(a, *min, *max, 0, s, i, k),
    }
}

fn cat(v: &[Node], s: &[char], i: usize, k: Cont) -> bool {
    match v.split_first() {
        None => k(i),
        Some((first, rest)) => mt(first, s, i, &mut |j| cat(rest, s, j, k)),
    }
}

// Greedy: one more repetition first, then stop; a repetition that matched nothing does not
// count once min is reached (no endless loops on empty matches).
fn rep(a: &Node, min: u32, max: Option<u32>, count: u32, s: &[char], i: usize, k: Cont) -> bool {
    if max.map_or(true, |m| count < m)
        && mt(a, s, i, &mut |j| {
            (j != i || count < min) && rep(a, min, max, count + 1, s, j, k)
        })
    {
        return true;
    }
    count >= min && k(i)
}

impl Regex {
    pub fn new(pattern: &str) -> Result<Regex, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut p = Parser { s: &chars, i: 0 };
        let root = p.alt()?;
        if p.i != chars.len() {
            return Err(format!("unmatched ) at {}", p.i));
        }
        Ok(Regex { root })
    }

    pub fn is_match(&self, text: &str) -> bool {
        let s: Vec<char> = text.chars().collect();
        (0..=s.len()).any(|start| mt(&self.root, &s, start, &mut |_| true))
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    fn m(p: &str, t: &str) -> bool {
        Regex::new(p).unwrap().is_match(t)
    }

    #[test]
    fn filters() {
        let n = "chan/spsc/cap=1024/size=8/impl=crossbeam";
        assert!(m("", n));
        assert!(m("spsc", n));
        assert!(m("^chan/spsc/cap=(0|1024)/size=8/", n));
        assert!(!m("^chan/spsc/cap=(0|16)/", n));
        assert!(m("cap=[0-9]+/size=8/impl=crossbeam$", n));
        assert!(!m("cap=[0-9]+/size=8$", n));
        assert!(m("s.z.=\\d{1,3}/", n));
        assert!(!m("s.z.=\\d{2,3}/", n));
        assert!(m("(?:pingpong|spsc)", n));
        assert!(m("a*b*c*", "xyz"));
        assert!(m("^(a|ab)(c|bcd)(d*)$", "abcd"));
        assert!(m("x(y?)*z", "xz"));
        assert!(Regex::new("(ab").is_err());
        assert!(Regex::new("*a").is_err());
    }
}
