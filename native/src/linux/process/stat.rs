//! Pure parsers for the process group's files. Each takes the file's bytes as read
//! and never panics, whatever the bytes: a process can name itself anything, and a
//! truncated or garbled file is "not present", not a reason to fail the scan.

/// The fields of `/proc/<pid>/stat` the agent uses (numbering as in proc(5)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PidStat<'a> {
    /// Field 2, without its parentheses.
    pub comm: &'a [u8],
    /// Field 3, one letter.
    pub state: u8,
    /// Field 4.
    pub ppid: u32,
    /// Field 14, clock ticks.
    pub utime: u64,
    /// Field 15, clock ticks.
    pub stime: u64,
    /// Field 20.
    pub num_threads: u32,
    /// Field 22, clock ticks after boot.
    pub starttime: u64,
    /// Field 23, bytes.
    pub vsize: u64,
    /// Field 24, pages.
    pub rss_pages: u64,
    /// Field 42 (`delayacct_blkio_ticks`), clock ticks waiting for block I/O; 0 when
    /// the kernel's line is shorter (before 2.6.18) or delay accounting is off.
    pub blkio_ticks: u64,
}

/// Parses one `/proc/<pid>/stat` line. `comm` sits between the first `(` and the
/// LAST `)`: it may itself hold spaces, `(`, `)` and even `) (`. `None` when the line
/// is too short or a needed field is not a number.
pub fn parse_pid_stat(buf: &[u8]) -> Option<PidStat<'_>> {
    let open = buf.iter().position(|&b| b == b'(')?;
    let close = buf.iter().rposition(|&b| b == b')')?;
    let comm = buf.get(open.checked_add(1)?..close)?;
    let mut f = buf
        .get(close.checked_add(1)?..)?
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty());
    let state = *f.next()?.first()?;
    let ppid = to_u32(number(f.next()?)?);
    let utime = number(f.nth(9)?)?;
    let stime = number(f.next()?)?;
    let num_threads = to_u32(number(f.nth(4)?)?);
    let starttime = number(f.nth(1)?)?;
    let vsize = number(f.next()?)?;
    let rss_pages = number(f.next()?)?;
    let blkio_ticks = f.nth(17).and_then(number).unwrap_or(0);
    Some(PidStat {
        comm,
        state,
        ppid,
        utime,
        stime,
        num_threads,
        starttime,
        vsize,
        rss_pages,
        blkio_ticks,
    })
}

/// The system-wide lines of `/proc/stat` the process group reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemStat {
    /// `processes`: forks since boot.
    pub forks: u64,
    /// `ctxt`: context switches since boot.
    pub ctxt: u64,
    /// First number of `intr`: interrupts since boot.
    pub intr: u64,
    /// First number of `softirq`.
    pub softirq: u64,
    /// `btime`: boot time, unix seconds.
    pub btime: u64,
    /// `procs_running`: runnable tasks (threads included) at the time of reading.
    pub procs_running: u64,
    /// `procs_blocked`: tasks blocked waiting for I/O to complete.
    pub procs_blocked: u64,
}

/// Parses `/proc/stat`; lines that are absent leave their field at 0.
pub fn parse_system_stat(buf: &[u8]) -> SystemStat {
    let mut s = SystemStat::default();
    for line in buf.split(|&b| b == b'\n') {
        let mut f = line
            .split(|b| b.is_ascii_whitespace())
            .filter(|t| !t.is_empty());
        let (Some(key), Some(value)) = (f.next(), f.next()) else {
            continue;
        };
        let Some(value) = number(value) else {
            continue;
        };
        match key {
            b"processes" => s.forks = value,
            b"ctxt" => s.ctxt = value,
            b"intr" => s.intr = value,
            b"softirq" => s.softirq = value,
            b"btime" => s.btime = value,
            b"procs_running" => s.procs_running = value,
            b"procs_blocked" => s.procs_blocked = value,
            _ => {}
        }
    }
    s
}

/// The real uid: first number of the `Uid:` line of `/proc/<pid>/status`.
pub fn parse_status_uid(buf: &[u8]) -> Option<u32> {
    let rest = field_line(buf, b"Uid:")?;
    let first = rest
        .split(|b| b.is_ascii_whitespace())
        .find(|t| !t.is_empty())?;
    u32::try_from(number(first)?).ok()
}

/// The counters of `/proc/<pid>/io`; each `None` when its line is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IoCounters {
    /// `rchar`: bytes the process asked `read(2)` and the like for, cache hits included.
    pub rchar: Option<u64>,
    /// `wchar`: bytes passed to `write(2)` and the like.
    pub wchar: Option<u64>,
    /// `read_bytes`: bytes the process caused to be fetched from storage.
    pub read_bytes: Option<u64>,
    /// `write_bytes`: bytes the process caused to be sent to storage.
    pub write_bytes: Option<u64>,
}

/// Parses `/proc/<pid>/io`.
pub fn parse_io(buf: &[u8]) -> IoCounters {
    let get = |key: &[u8]| field_line(buf, key).and_then(|v| number(trim(v)));
    IoCounters {
        rchar: get(b"rchar:"),
        wchar: get(b"wchar:"),
        read_bytes: get(b"read_bytes:"),
        write_bytes: get(b"write_bytes:"),
    }
}

/// `argv[0]` of a raw NUL-separated `cmdline`, as the process set it ("" when empty).
pub fn argv0(raw: &[u8]) -> String {
    lossy(raw.split(|&b| b == 0).next().unwrap_or_default())
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
pub fn parse_mem_total(buf: &[u8]) -> Option<u64> {
    let rest = field_line(buf, b"MemTotal:")?;
    let kib = rest
        .split(|b| b.is_ascii_whitespace())
        .find(|t| !t.is_empty())?;
    Some(number(kib)?.saturating_mul(1024))
}

/// The user name of `uid` in an `/etc/passwd` file (`name:pw:uid:gid:…`).
pub fn passwd_name(buf: &[u8], uid: u32) -> Option<String> {
    buf.split(|&b| b == b'\n')
        .filter(|l| !l.starts_with(b"#"))
        .find_map(|line| {
            let mut f = line.split(|&b| b == b':');
            let name = f.next()?;
            let id = number(f.nth(1)?)?;
            (id == u64::from(uid) && !name.is_empty()).then(|| lossy(name))
        })
}

/// Longest command line kept, bytes.
pub const CMDLINE_CAP: usize = 4096;

/// `/proc/<pid>/cmdline` for display: NUL-separated arguments joined by spaces,
/// trailing NULs dropped, capped at [`CMDLINE_CAP`] bytes on a character boundary.
pub fn join_cmdline(buf: &[u8]) -> String {
    let end = buf.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let joined: Vec<u8> = buf
        .iter()
        .take(end.min(CMDLINE_CAP))
        .map(|&b| if b == 0 { b' ' } else { b })
        .collect();
    let mut s = lossy(&joined);
    if s.len() > CMDLINE_CAP {
        let mut cut = CMDLINE_CAP;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// The same join done in place, for pattern matching without an allocation.
pub fn cmdline_in_place(buf: &mut [u8]) -> &[u8] {
    let end = buf.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let line = buf.get_mut(..end).unwrap_or_default();
    for b in line.iter_mut() {
        if *b == 0 {
            *b = b' ';
        }
    }
    line
}

/// The file name of `argv[0]` in a raw NUL-separated `cmdline`: the program's full
/// name, where `comm` keeps only its first 15 bytes.
pub fn argv0_name(raw: &[u8]) -> &[u8] {
    let argv0 = raw.split(|&b| b == 0).next().unwrap_or_default();
    argv0.rsplit(|&b| b == b'/').next().unwrap_or_default()
}

/// The kernel keeps 15 bytes of a program name (`comm`). When `comm` is that long and
/// `argv[0]`'s file name begins with it, the latter is the full name; else "".
pub fn full_name(comm: &[u8], raw_cmdline: &[u8]) -> String {
    const COMM_LEN: usize = 15;
    let argv0 = argv0_name(raw_cmdline);
    if comm.len() == COMM_LEN && argv0.len() > COMM_LEN && argv0.starts_with(comm) {
        lossy(argv0)
    } else {
        String::new()
    }
}

/// A directory name that is a pid: ASCII digits only, fitting a u32.
pub fn parse_pid(name: &[u8]) -> Option<u32> {
    if name.is_empty() || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    u32::try_from(number(name)?).ok()
}

/// Bytes to text, invalid UTF-8 replaced.
pub fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A decimal counter. Values beyond `u64::MAX` saturate; a negative value (the
/// kernel prints a few fields as signed) reads as 0; anything else is `None`.
fn number(tok: &[u8]) -> Option<u64> {
    if let Some(rest) = tok.strip_prefix(b"-") {
        return (!rest.is_empty() && rest.iter().all(u8::is_ascii_digit)).then_some(0);
    }
    if tok.is_empty() {
        return None;
    }
    tok.iter().try_fold(0u64, |acc, &b| {
        let d = u64::from(b.checked_sub(b'0').filter(|d| *d <= 9)?);
        Some(
            acc.checked_mul(10)
                .and_then(|v| v.checked_add(d))
                .unwrap_or(u64::MAX),
        )
    })
}

fn to_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The rest of the first line that starts with `key`.
fn field_line<'a>(buf: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    buf.split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(key))
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WEIRD: &[u8] = b"4242 (my (weird) proc) S 1 4242 4242 0 -1 4194560 100 0 0 0 \
        250 50 0 0 20 0 3 0 12345 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";

    #[test]
    fn reads_a_name_with_spaces_and_parentheses_up_to_the_last_paren() {
        let s = parse_pid_stat(WEIRD).unwrap();
        assert_eq!(s.comm, b"my (weird) proc");
        assert_eq!(s.state, b'S');
        assert_eq!(s.ppid, 1);
        assert_eq!((s.utime, s.stime), (250, 50));
        assert_eq!(s.num_threads, 3);
        assert_eq!(s.starttime, 12345);
        assert_eq!(s.vsize, 104_857_600);
        assert_eq!(s.rss_pages, 2560);
        assert_eq!(s.blkio_ticks, 0);
    }

    #[test]
    fn a_name_holding_close_paren_space_open_paren_still_parses() {
        let line = b"7 (a) (b) R 2 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 10 11";
        let s = parse_pid_stat(line).unwrap();
        assert_eq!(s.comm, b"a) (b");
        assert_eq!(s.state, b'R');
        assert_eq!(
            (s.utime, s.stime, s.starttime, s.vsize, s.rss_pages),
            (1, 2, 9, 10, 11)
        );
    }

    #[test]
    fn counters_near_two_to_the_64_do_not_overflow() {
        let line = b"1 (x) R 0 1 1 0 -1 0 0 0 0 0 18446744073709551615 18446744073709551614 0 0 \
            20 0 99999999999 0 18446744073709551615 18446744073709551615 99999999999999999999999";
        let s = parse_pid_stat(line).unwrap();
        assert_eq!(s.utime, u64::MAX);
        assert_eq!(s.stime, u64::MAX - 1);
        assert_eq!(s.num_threads, u32::MAX);
        assert_eq!(s.rss_pages, u64::MAX);
    }

    #[test]
    fn a_truncated_stat_line_is_not_a_process() {
        assert_eq!(parse_pid_stat(b"1 (x) R 0 1 1 0"), None);
        assert_eq!(parse_pid_stat(b"1 x) R"), None);
        assert_eq!(parse_pid_stat(b")("), None);
        assert_eq!(parse_pid_stat(b""), None);
    }

    #[test]
    fn reads_forks_switches_interrupts_and_boot_time() {
        let s = parse_system_stat(
            b"cpu  1 2 3\nintr 500 1 2 3\nctxt 900\nbtime 1700000000\nprocesses 77\n\
              procs_running 2\nprocs_blocked 1\nsoftirq 44 1 2\n",
        );
        assert_eq!(
            s,
            SystemStat {
                forks: 77,
                ctxt: 900,
                intr: 500,
                softirq: 44,
                btime: 1_700_000_000,
                procs_running: 2,
                procs_blocked: 1,
            }
        );
    }

    #[test]
    fn reads_the_real_uid_io_bytes_and_mem_total() {
        assert_eq!(
            parse_status_uid(b"Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t5\n"),
            Some(1000)
        );
        assert_eq!(parse_status_uid(b"Name:\tx\n"), None);
        let io = b"rchar: 5\nwchar: 6\nread_bytes: 4096\nwrite_bytes: 8192\n";
        assert_eq!(
            parse_io(io),
            IoCounters {
                rchar: Some(5),
                wchar: Some(6),
                read_bytes: Some(4096),
                write_bytes: Some(8192),
            }
        );
        assert_eq!(parse_io(b"rchar: 7\n").wchar, None);
        assert_eq!(parse_mem_total(b"MemTotal:  2048 kB\n"), Some(2048 * 1024));
    }

    #[test]
    fn finds_a_user_name_in_a_passwd_file() {
        let pw = b"# comment\nroot:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/a:/bin/sh\n";
        assert_eq!(passwd_name(pw, 1000).as_deref(), Some("alice"));
        assert_eq!(passwd_name(pw, 0).as_deref(), Some("root"));
        assert_eq!(passwd_name(pw, 7), None);
    }

    #[test]
    fn joins_command_line_arguments_and_caps_their_length() {
        assert_eq!(join_cmdline(b"sleep\x0030\x00"), "sleep 30");
        assert_eq!(join_cmdline(b""), "");
        let long = vec![b'a'; CMDLINE_CAP * 2];
        assert_eq!(join_cmdline(&long).len(), CMDLINE_CAP);
        let mut b = b"a\x00b\x00\x00".to_vec();
        assert_eq!(cmdline_in_place(&mut b), b"a b");
        assert_eq!(
            argv0_name(b"/usr/bin/a-very-long-program-name\0--flag\0"),
            b"a-very-long-program-name"
        );
        assert_eq!(argv0_name(b"plain"), b"plain");
        assert_eq!(argv0_name(b""), b"");
        assert_eq!(
            full_name(b"tfo-e2e-long-ga", b"/tmp/tfo-e2e-long-gamma-name\0x\0"),
            "tfo-e2e-long-gamma-name"
        );
        assert_eq!(full_name(b"short", b"/bin/short-and-more\0"), "");
        assert_eq!(
            full_name(b"tfo-e2e-long-ga", b"/bin/other-long-program-name\0"),
            ""
        );
    }

    #[test]
    fn only_numeric_names_are_pids() {
        assert_eq!(parse_pid(b"123"), Some(123));
        assert_eq!(parse_pid(b"self"), None);
        assert_eq!(parse_pid(b"-1"), None);
        assert_eq!(parse_pid(b"99999999999"), None);
    }

    proptest! {
        #[test]
        fn the_stat_parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_pid_stat(&bytes);
            let _ = parse_system_stat(&bytes);
            let _ = parse_status_uid(&bytes);
            let _ = parse_io(&bytes);
            let _ = parse_mem_total(&bytes);
            let _ = passwd_name(&bytes, 0);
            let _ = join_cmdline(&bytes);
            let _ = parse_pid(&bytes);
        }

        #[test]
        fn a_stat_line_with_any_name_parses_back_to_that_name(name in "[ -~]{0,40}") {
            let line = format!("1 ({name}) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 4 5");
            let s = parse_pid_stat(line.as_bytes()).unwrap();
            prop_assert_eq!(s.comm, name.as_bytes());
            prop_assert_eq!(s.starttime, 3);
        }
    }
}
