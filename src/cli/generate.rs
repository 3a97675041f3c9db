//! `meshedge generate`: its flag, and the environment Argo CD runs it in.

use std::collections::BTreeMap;

/// Options of `meshedge generate` (the rest comes from the environment Argo CD sets).
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Discovery for the plugin's `discover.find.command`: print the environment's manifest when
    /// the working directory (and the options) select one, print nothing otherwise; exit 0.
    #[arg(long)]
    pub discover: bool,
    /// Print only shard K of N (counted from 0): the objects of the tenants whose names hash to K,
    /// and in shard 0 also every object no one tenant owns. Wins over the `shard` parameter and
    /// the plugin env MESHEDGE_SHARD. The whole environment is still built and validated.
    #[arg(long, value_name = "K/N", allow_hyphen_values = true, value_hint = clap::ValueHint::Other)]
    pub shard: Option<String>,
}

/// What `meshedge generate` does, and the variables it reads its request from.
#[derive(Debug)]
pub struct GenerateOptions {
    pub discover: bool,
    /// `--shard`, as given (validated by the command, with a diagnostic code).
    pub shard: Option<String>,
    /// The process environment (variables that are not UTF-8 left out).
    pub vars: BTreeMap<String, String>,
}

impl GenerateArgs {
    pub fn options(self) -> GenerateOptions {
        let vars =
            std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect();
        GenerateOptions { discover: self.discover, shard: self.shard, vars }
    }
}
