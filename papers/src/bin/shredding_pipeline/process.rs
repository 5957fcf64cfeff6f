//! Running a command and measuring it: wall time, CPU time and peak memory of the child.
//!
//! The child is spawned with `std::process::Command` and reaped with `wait4(2)`, which
//! returns the child's own resource usage (`struct rusage`: user and system CPU time, and
//! `ru_maxrss`, its peak resident set in KiB), so every run is measured on its own, as a
//! user would see it from the shell. Its output is read on two threads while it runs so a
//! chatty child cannot block on a full pipe; standard error is kept for the error message
//! of a failed run.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// What one run of a command cost and printed.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Wall-clock seconds from spawn to exit.
    pub wall_s: f64,
    /// User CPU seconds of the child (all its threads).
    pub user_s: f64,
    /// System CPU seconds of the child.
    pub sys_s: f64,
    /// Peak resident set size in MiB.
    pub max_rss_mib: f64,
    /// Standard output.
    pub stdout: String,
}

impl Measured {
    /// User plus system CPU seconds.
    pub fn cpu_s(&self) -> f64 {
        self.user_s + self.sys_s
    }
}

/// Runs `program args…` to completion; an exit code other than 0 is an error carrying the
/// command line and the child's standard error.
pub fn run(program: &str, args: &[String]) -> Result<Measured> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {program}"))?;
    let start = Instant::now();
    let pid = child.id() as libc::pid_t;
    let mut out = child.stdout.take().context("child stdout")?;
    let mut err = child.stderr.take().context("child stderr")?;
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let (status, usage) = wait4(pid).with_context(|| format!("waiting for {program}"))?;
    let wall_s = start.elapsed().as_secs_f64();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let command = format!("{program} {}", args.join(" "));
    if !libc::WIFEXITED(status) {
        bail!("{command}: killed by a signal\n{stderr}");
    }
    let code = libc::WEXITSTATUS(status);
    if code != 0 {
        bail!("{command}: exit code {code}\n{}", stderr.trim_end());
    }
    Ok(Measured {
        wall_s,
        user_s: timeval_s(usage.ru_utime),
        sys_s: timeval_s(usage.ru_stime),
        max_rss_mib: usage.ru_maxrss as f64 / 1024.0,
        stdout,
    })
}

fn timeval_s(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// Reaps `pid`, returning its wait status and resource usage.
fn wait4(pid: libc::pid_t) -> std::io::Result<(libc::c_int, libc::rusage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value (plain integers and timevals).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid for writes for the duration of the call;
        // `pid` is our own child, not yet reaped (std only reaps in `wait`, never called).
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return Ok((status, usage));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_child_is_charged_cpu_time_and_its_output_is_kept() {
        let m = run(
            "sh",
            &[
                "-c".into(),
                "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo done".into(),
            ],
        )
        .unwrap();
        assert_eq!(m.stdout.trim(), "done");
        assert!(m.cpu_s() > 0.0, "{m:?}");
        assert!(m.wall_s >= m.user_s * 0.5, "{m:?}");
        assert!(m.max_rss_mib > 0.0);
    }

    #[test]
    fn a_failing_child_is_an_error_with_its_stderr() {
        let e = run("sh", &["-c".into(), "echo broken >&2; exit 3".into()]).unwrap_err();
        let text = format!("{e:#}");
        assert!(
            text.contains("exit code 3") && text.contains("broken"),
            "{text}"
        );
    }

    #[test]
    fn a_missing_program_is_an_error() {
        assert!(run("/nonexistent/program", &[]).is_err());
    }
}
