//! clap's own words in Portuguese, for both binaries (behind the `cli` feature): the help's
//! headings and usage line, and each default as `[padrão: …]`. The flags' texts are the
//! binaries' own doc comments; `-h` and `-V` are declared by each binary with Portuguese help.

use clap::Command;

/// The help's layout, with the usage heading in Portuguese.
const TEMPLATE: &str = "{before-help}{about-with-newline}\nUso: {usage}\n\n{all-args}{after-help}";

/// `command` with its help in Portuguese: "Uso:", "Argumentos", "Opções" and `[padrão: …]`.
pub fn in_portuguese(command: Command) -> Command {
    command.help_template(TEMPLATE).mut_args(|arg| {
        let heading = if arg.is_positional() {
            "Argumentos"
        } else {
            "Opções"
        };
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        let arg = arg.help_heading(heading);
        if defaults.is_empty() || arg.is_hide_default_value_set() {
            return arg;
        }
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        let help = format!("{help} [padrão: {}]", defaults.join(", "));
        arg.hide_default_value(true).help(help)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Arg;

    #[test]
    fn headings_usage_and_defaults_are_in_portuguese() {
        let command = Command::new("x")
            .about("sobre")
            .arg(
                Arg::new("porta")
                    .long("port")
                    .default_value("7667")
                    .help("A porta."),
            )
            .arg(Arg::new("alvo").help("O alvo."));
        let help = in_portuguese(command).render_help().to_string();
        for said in [
            "Uso: x",
            "Argumentos:",
            "Opções:",
            "A porta. [padrão: 7667]",
        ] {
            assert!(help.contains(said), "{said:?} in:\n{help}");
        }
        for english in ["Usage:", "Options:", "Arguments:", "[default:"] {
            assert!(!help.contains(english), "{english:?} in:\n{help}");
        }
    }
}
