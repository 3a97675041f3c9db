//! Credentials out of a repository URL before it goes into an annotation or a message.

/// A repository URL without credentials (`https://user:token@host/…` → `https://host/…`).
///
/// Read with the URL crate (WHATWG URL rules, as Git's and Argo CD's readers split the
/// authority): user name and password are removed, whatever they hold once percent-encoded.
/// A URL the crate cannot read that still has an `@` after its scheme keeps only its scheme,
/// since where its credentials end cannot be told (`https://u:p/ss@h/r@abc`); a URL without
/// `://` (`git@host:org/repo.git`) names no secret and is kept.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.username().is_empty() && parsed.password().is_none() {
                return url.to_string();
            }
            // Both only fail for URLs that cannot hold credentials in the first place.
            if parsed.set_password(None).is_err() || parsed.set_username("").is_err() {
                return format!("{scheme}://(redacted)");
            }
            parsed.to_string()
        }
        Err(_) if rest.contains('@') => format!("{scheme}://(redacted)"),
        Err(_) => url.to_string(),
    }
}
