// SPDX-License-Identifier: MIT
// Bakes the toolchain and crossbeam-channel versions into the executor (its hello answer
// reports them as version and library_version).
use std::env;
use std::fs;
use std::path::Path;
use std::process::Command;

fn main() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let version = Command::new(&rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "rustc (unknown version)".to_string());
    println!("cargo:rustc-env=CHANBENCH_RUSTC_VERSION={}", version);

    // Cargo resolves and writes Cargo.lock before it runs build scripts.
    let dir = env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let lock = Path::new(&dir).join("Cargo.lock");
    let mut lib = "unknown".to_string();
    if let Ok(text) = fs::read_to_string(&lock) {
        let mut in_pkg = false;
        for line in text.lines() {
            let line = line.trim();
            if line == "[[package]]" {
                in_pkg = false;
            } else if line == "name = \"crossbeam-channel\"" {
                in_pkg = true;
            } else if in_pkg && line.starts_with("version = \"") {
                lib = line["version = \"".len()..].trim_end_matches('"').to_string();
                break;
            }
        }
    }
    println!("cargo:rustc-env=CHANBENCH_CROSSBEAM_VERSION={}", lib);
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");
}
