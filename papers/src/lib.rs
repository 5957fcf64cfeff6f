//! Executable reproductions of the results shredkit builds on; each paper is a binary under
//! `src/bin/` with its write-up in the folder of the same name (see `papers/README.md`).
