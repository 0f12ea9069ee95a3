//! "Did you mean" suggestions for misspelt keys, values and rule names.

/// The closest candidate, if one is close enough to be a plausible typo.
pub fn did_you_mean<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let input = input.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(&input, &candidate.to_ascii_lowercase()), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, candidate)| candidate)
}

/// `, did you mean `x`?` or nothing.
pub fn hint<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    match did_you_mean(input, candidates) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["proxy_addresses", "primary_smtp_address", "alias"];
        assert_eq!(did_you_mean("proxy_adresses", keys), Some("proxy_addresses"));
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
