//! `hybridlint diff` in its three formats: human (grouped by recipient, `-`/`+` lines, coloured as `check`
//! colours), JSON (versioned, for bots) and Markdown (a collapsible summary for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`).

use std::fmt::Write as _;

use serde::Serialize;

use super::display::visible;
use crate::analysis::cloud::CloudOrigin;
use crate::diff::{Change, Diff, Exists, Finding, RecipientDiff};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    pub color: bool,
    /// The root as shown: relative to the current directory (`"."` when it is the current directory).
    pub root: String,
}

impl DiffOptions {
    fn path_prefix(&self) -> String {
        if self.root == "." || self.root.is_empty() { String::new() } else { format!("{}/", self.root) }
    }
}

/// Writes the diff in `format`. A large diff is most of the repository: it is written as it is rendered,
/// never held whole in memory.
pub fn write(
    format: DiffFormat,
    diff: &Diff<'_>,
    options: &DiffOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        DiffFormat::Human => {
            let mut adapter = IoFmt { inner: out, error: None };
            match human(diff, options, &mut adapter) {
                Ok(()) => Ok(()),
                Err(_) => Err(adapter.error.unwrap_or_else(|| std::io::Error::other("formatting failed"))),
            }
        }
        DiffFormat::Json => {
            let output = JsonOutput {
                version: 1,
                tool: Tool { name: "hybridlint", version: env!("CARGO_PKG_VERSION") },
                root: &options.root,
                diff,
            };
            serde_json::to_writer_pretty(&mut *out, &output).map_err(std::io::Error::other)?;
            out.write_all(b"\n")
        }
        DiffFormat::Markdown => out.write_all(markdown(diff, options).as_bytes()),
    }
}

/// The diff in `format`, as one string.
pub fn render(format: DiffFormat, diff: &Diff<'_>, options: &DiffOptions) -> String {
    let mut out = Vec::new();
    // Writing into memory does not fail.
    let _ = write(format, diff, options, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `fmt::Write` onto an `io::Write`, keeping the I/O error.
struct IoFmt<'w> {
    inner: &'w mut dyn std::io::Write,
    error: Option<std::io::Error>,
}

impl std::fmt::Write for IoFmt<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.inner.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}

/// The width of the label column, and as many spaces.
const LABEL: usize = 19;
const SPACES: &str = "                   ";
const _: () = assert!(SPACES.len() == LABEL);

/// A value as shown: control characters escaped, `(none)` for no value.
struct Shown<'v>(Option<&'v str>);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(value) => f.write_str(&visible(value)),
            None => f.write_str("(none)"),
        }
    }
}

/// Receives each line of a recipient: removed (`-`) or added (`+`), its label and its value.
type Emit<'e> = dyn FnMut(bool, &'static str, &dyn std::fmt::Display) + 'e;

/// `-` and `+` lines for a value that changed; a side on which it does not exist has none.
fn scalar(emit: &mut Emit<'_>, change: Change, label: &'static str, before: Option<&str>, after: Option<&str>) {
    if before == after {
        return;
    }
    if change != Change::Added {
        emit(false, label, &Shown(before));
    }
    if change != Change::Removed {
        emit(true, label, &Shown(after));
    }
}

fn origin_note(origin: CloudOrigin) -> &'static str {
    match origin {
        CloudOrigin::OnPremises => "",
        CloudOrigin::Mail => "  (from `mail`)",
        CloudOrigin::Upn => "  (the UPN)",
        CloudOrigin::Moera => "  (the MOERA)",
    }
}

/// Every changed value of one recipient, in the order they are shown.
fn lines(r: &RecipientDiff<'_>, emit: &mut Emit<'_>) {
    let change = r.change;
    scalar(emit, change, "type", r.kind.before, r.kind.after);
    scalar(emit, change, "source", r.source.before, r.source.after);
    if r.exists.changed() {
        let exists = |e: Exists| {
            let names = e.0.names();
            if names.is_empty() { "nowhere".to_string() } else { names.join(", ") }
        };
        let (before, after) = (exists(r.exists.before), exists(r.exists.after));
        scalar(emit, change, "exists", Some(&before), Some(&after));
    }
    scalar(emit, change, "policy", r.policy.before, r.policy.after);
    scalar(emit, change, "primary", r.primary.before, r.primary.after);
    for (added, list) in [(false, &r.addresses.removed), (true, &r.addresses.added)] {
        for a in list {
            match &a.numbered {
                Some(n) => emit(
                    added,
                    "address",
                    &format_args!(
                        "{}  (numbered: `{}` is taken by `{}`)",
                        visible(a.address),
                        visible(n.wanted),
                        visible(n.taken_by)
                    ),
                ),
                None => emit(added, "address", &visible(a.address)),
            }
        }
    }
    let cloud = &r.cloud;
    let synced = |exists: bool, synced: bool| exists.then_some(if synced { "yes" } else { "no" });
    if cloud.synced.changed() {
        let (before, after) = (synced(change != Change::Added, cloud.synced.before), synced(true, cloud.synced.after));
        scalar(emit, change, "synced", before, after);
    }
    // The cloud view's values, where there is one: a recipient that starts (or stops) syncing shows the
    // view it gets (or loses), not a `(none)` for each value.
    let change = match (cloud.synced.before, cloud.synced.after) {
        (true, true) => Change::Changed,
        (false, true) => Change::Added,
        (true, false) => Change::Removed,
        (false, false) => return,
    };
    scalar(emit, change, "cloud type", cloud.kind.before, cloud.kind.after);
    scalar(emit, change, "cloud mail", cloud.mail.before.as_deref(), cloud.mail.after.as_deref());
    scalar(emit, change, "cloud mailNickname", cloud.mail_nickname.before, cloud.mail_nickname.after);
    let moera = |value: Option<&str>, random: bool| {
        value.map(|m| if random { format!("{m}  (four random digits: the MOERA is taken)") } else { m.to_string() })
    };
    let (before, after) = (
        moera(cloud.moera.before, cloud.moera_random_suffix.before),
        moera(cloud.moera.after, cloud.moera_random_suffix.after),
    );
    scalar(emit, change, "cloud MOERA", before.as_deref(), after.as_deref());
    scalar(emit, change, "cloud UPN", cloud.upn.before, cloud.upn.after);
    for (added, list) in [(false, &cloud.proxy_addresses.removed), (true, &cloud.proxy_addresses.added)] {
        for a in list {
            emit(added, "cloud proxyAddress", &format_args!("{}{}", visible(&a.address), origin_note(a.origin)));
        }
    }
    for (added, list) in [(false, &cloud.dropped.removed), (true, &cloud.dropped.added)] {
        for d in list {
            emit(added, "cloud drops", &format_args!("{}  ({})", visible(d.address), d.reason.explain()));
        }
    }
    for (added, list) in [(false, &cloud.quarantined.removed), (true, &cloud.quarantined.added)] {
        for q in list {
            emit(
                added,
                "cloud quarantines",
                &format_args!(
                    "{}  ({} {}, kept by `{}`)",
                    visible(q.value),
                    q.attribute,
                    q.outcome,
                    visible(q.kept_by)
                ),
            );
        }
    }
}

/// The lines of one recipient as text, without colour.
fn plain_lines(r: &RecipientDiff<'_>) -> Vec<String> {
    let mut out = Vec::new();
    lines(r, &mut |added, label, value| {
        out.push(format!("{} {label:<LABEL$} {value}", if added { '+' } else { '-' }));
    });
    out
}

/// The recipient's type (as it was, for a removed one) and what happened to it.
fn kind_and_change(r: &RecipientDiff<'_>) -> (Option<&'static str>, &'static str) {
    match r.change {
        Change::Changed => (r.kind.after, "changed"),
        Change::Added => (r.kind.after, "added"),
        Change::Removed => (r.kind.before, "removed"),
    }
}

fn header(r: &RecipientDiff<'_>) -> String {
    let (kind, change) = kind_and_change(r);
    format!("{} ({}): {change}", visible(r.name), kind.unwrap_or("?"))
}

fn finding_line(f: &Finding<'_>, prefix: &str) -> String {
    format!(
        "{}[{}] {prefix}{}:{}:{}: {}",
        f.severity,
        visible(f.rule),
        visible(f.file),
        f.line,
        f.column,
        visible(f.message)
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `2 recipients changed, 1 added, 1 removed (5 addresses added, 2 removed; 2 primary addresses, 1 policy,
/// 1 location, 1 cloud view changed); 2 findings added, 1 resolved`
fn summary(diff: &Diff<'_>) -> String {
    let s = &diff.summary;
    format!(
        "{} changed, {} added, {} removed ({} added, {} removed; {}, {}, {}, {} changed); {} added, {} resolved",
        plural(s.recipients_changed, "recipient", "recipients"),
        s.recipients_added,
        s.recipients_removed,
        plural(s.addresses_added, "address", "addresses"),
        s.addresses_removed,
        plural(s.primaries_changed, "primary address", "primary addresses"),
        plural(s.policies_changed, "policy", "policies"),
        plural(s.exists_changed, "location", "locations"),
        plural(s.cloud_views_changed, "cloud view", "cloud views"),
        plural(s.findings_added, "finding", "findings"),
        s.findings_resolved,
    )
}

/// Human output: nothing at all when nothing differs.
pub fn human(diff: &Diff<'_>, options: &DiffOptions, out: &mut dyn std::fmt::Write) -> std::fmt::Result {
    if diff.is_empty() {
        return Ok(());
    }
    let color = options.color;
    let (bold, red, green, reset) =
        if color { ("\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[0m") } else { ("", "", "", "") };
    for r in &diff.recipients {
        writeln!(out, "{bold}{}{reset}", header(r))?;
        let mut written = Ok(());
        lines(r, &mut |added, label, value| {
            if written.is_err() {
                return;
            }
            // Piece by piece: this is most of the output of a large diff.
            let (paint, sign) = if added { (green, "+ ") } else { (red, "- ") };
            let pad = &SPACES[..LABEL.saturating_sub(label.len())];
            written = [" ", " ", paint, sign, label, pad, " "]
                .iter()
                .try_for_each(|piece| out.write_str(piece))
                .and_then(|()| write!(out, "{value}"))
                .and_then(|()| out.write_str(reset))
                .and_then(|()| out.write_char('\n'));
        });
        written?;
        out.write_char('\n')?;
    }
    let prefix = options.path_prefix();
    let revision = visible(diff.revision);
    for (title, added, list) in [
        ("findings added".to_string(), true, &diff.findings.added),
        (format!("findings resolved (located at {revision})"), false, &diff.findings.resolved),
    ] {
        if list.is_empty() {
            continue;
        }
        writeln!(out, "{bold}{title}{reset}")?;
        let (paint, sign) = if added { (green, '+') } else { (red, '-') };
        for f in list {
            writeln!(out, "  {paint}{sign} {}{reset}", finding_line(f, &prefix))?;
        }
        out.write_char('\n')?;
    }
    writeln!(out, "compared with {revision}: {}", summary(diff))
}

#[derive(Serialize)]
struct JsonOutput<'d> {
    version: u32,
    tool: Tool,
    root: &'d str,
    #[serde(flatten)]
    diff: &'d Diff<'d>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// The most Markdown written: a pull-request comment holds at most 65,536 characters. What does not fit
/// is counted, and the full diff is one command away.
const MARKDOWN_BUDGET: usize = 60_000;

fn html(text: &str) -> String {
    visible(text).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A fenced block that no backtick run in `lines` can close.
fn fenced(info: &str, lines: &[String]) -> String {
    let longest = lines.iter().flat_map(|l| l.split(|c| c != '`').map(str::len)).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let mut out = format!("{fence}{info}\n");
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    let _ = writeln!(out, "{fence}");
    out
}

/// An inline code span that shows `text` as it is, whatever backticks it holds.
fn code(text: &str) -> String {
    let text = visible(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// Markdown: a `<details>` block whose summary line counts the changes; a `diff` block per recipient and
/// one per list of findings. When nothing differs, one line that says so (so that an updated
/// pull-request comment says the change no longer does anything).
pub fn markdown(diff: &Diff<'_>, options: &DiffOptions) -> String {
    let revision = html(diff.revision);
    if diff.is_empty() {
        return format!(
            "**hybridlint diff** compared with <code>{revision}</code>: no recipient and no finding changes.\n"
        );
    }
    let mut out = format!(
        "<details>\n<summary><b>hybridlint diff</b> compared with <code>{revision}</code>: {}</summary>\n\n",
        html(&summary(diff))
    );
    let prefix = options.path_prefix();
    let budget_note = |left: usize, one: &str, many: &str| {
        let (what, verb) = if left == 1 { (one, "is") } else { (many, "are") };
        format!(
            "_{left} other {what} {verb} not shown here, to keep within a comment's size: run `hybridlint diff` \
             with this revision to see every one._\n\n"
        )
    };
    for (title, added, list) in [
        ("Findings added".to_string(), true, &diff.findings.added),
        (format!("Findings resolved (located at <code>{revision}</code>)"), false, &diff.findings.resolved),
    ] {
        if list.is_empty() {
            continue;
        }
        let mut shown = Vec::new();
        let mut size = out.len();
        for f in list {
            let line = format!("{} {}", if added { '+' } else { '-' }, finding_line(f, &prefix));
            size += line.len() + 1;
            if size > MARKDOWN_BUDGET / 2 {
                break;
            }
            shown.push(line);
        }
        let _ = write!(out, "**{title}**\n\n{}\n", fenced("diff", &shown));
        if shown.len() < list.len() {
            out.push_str(&budget_note(list.len() - shown.len(), "finding", "findings"));
        }
    }
    for (n, r) in diff.recipients.iter().enumerate() {
        let (kind, change) = kind_and_change(r);
        let block = format!(
            "**{}** ({}): {change}\n\n{}\n",
            code(r.name),
            kind.unwrap_or("?"),
            fenced("diff", &plain_lines(r))
        );
        if out.len() + block.len() > MARKDOWN_BUDGET {
            out.push_str(&budget_note(diff.recipients.len() - n, "recipient", "recipients"));
            break;
        }
        out.push_str(&block);
    }
    out.push_str("</details>\n");
    out
}
