//! What the server says to people: every Portuguese text of the server in one place.

use papo_protocol::limits::MAX_NICK_CHARS;
use papo_protocol::{
    Access, COMMANDS, ErrorCode, Limits, Nickname, NicknameError, PROTOCOL_VERSION, ParseError,
    ServerLine, TextError,
};

/// The greeting sent on connect; `epoch` names the room log, `access` says whether a
/// password comes first, `limits` what each member may send (so a client can stay inside them).
pub fn hello(epoch: &str, access: Access, limits: Limits) -> ServerLine {
    let text = match access {
        Access::Open => format!(
            "bem-vindo ao papo! envie seu apelido (até {MAX_NICK_CHARS} letras, dígitos, _ - .)"
        ),
        Access::Password => {
            "bem-vindo ao papo! esta sala tem senha: envie /SENHA sua-senha, depois seu apelido"
                .to_owned()
        }
    };
    ServerLine::Hello {
        version: PROTOCOL_VERSION,
        epoch: Some(epoch.to_owned()),
        access: Some(access),
        limits: Some(limits),
        text,
    }
}

/// Plain text sent to the TLS port (the connection then closes).
pub fn plain_on_tls_port() -> ServerLine {
    ServerLine::Bye {
        text: "esta porta fala TLS: use papo --tls, ou a porta de texto puro para o nc".to_owned(),
    }
}

/// A nickname or command before the room's password was given.
pub fn password_required() -> ServerLine {
    error(
        ErrorCode::PasswordRequired,
        "esta sala tem senha: envie /SENHA sua-senha antes do apelido",
    )
}

/// A wrong `/SENHA`; `left` more tries before the connection closes.
pub fn password_incorrect(left: u32) -> ServerLine {
    let left = if left == 1 {
        "resta 1 tentativa".to_owned()
    } else {
        format!("restam {left} tentativas")
    };
    error(
        ErrorCode::PasswordIncorrect,
        format!("senha incorreta; {left}"),
    )
}

/// The `BYE` after the last wrong password.
pub const TOO_MANY_WRONG_PASSWORDS: &str = "tentativas de senha esgotadas; conexão encerrada";

/// The right `/SENHA`.
pub fn password_accepted() -> ServerLine {
    ServerLine::Notice {
        text: "senha aceita; agora envie seu apelido".to_owned(),
    }
}

/// `/SENHA` to a room without a password: harmless (a client may keep one saved).
pub fn no_password_needed() -> ServerLine {
    ServerLine::Notice {
        text: "esta sala não tem senha; envie seu apelido".to_owned(),
    }
}

/// Sent to a member who was accepted into a room of `count` people.
pub fn welcome(nick: &Nickname, count: usize) -> ServerLine {
    let people = if count == 1 { "pessoa" } else { "pessoas" };
    ServerLine::Welcome {
        nick: nick.clone(),
        token: None,
        text: format!(
            "você entrou na sala como {nick} ({count} {people}); /AJUDA lista os comandos"
        ),
    }
}

/// An `ERR` line.
pub fn error(code: ErrorCode, text: impl Into<String>) -> ServerLine {
    ServerLine::Error {
        code,
        text: text.into(),
    }
}

/// `/ENTRAR` from a member already in the room.
pub fn already_joined(nick: &Nickname) -> ServerLine {
    error(
        ErrorCode::AlreadyJoined,
        format!("você já está na sala como {nick}"),
    )
}

/// A command that needs a nickname first.
pub fn not_joined() -> ServerLine {
    error(
        ErrorCode::NotJoined,
        "envie primeiro o seu apelido para entrar na sala",
    )
}

/// `/NICK` to the nickname one already has.
pub fn already_named(nick: &Nickname) -> ServerLine {
    error(ErrorCode::NickInUse, format!("você já se chama {nick}"))
}

/// `/MSG` to a nickname nobody has.
pub fn no_such_nick(wanted: &str) -> ServerLine {
    error(
        ErrorCode::NoSuchNick,
        format!("ninguém na sala se chama {wanted}"),
    )
}

/// The last line after `/SAIR`.
pub fn goodbye(nick: Option<&Nickname>) -> ServerLine {
    let text = match nick {
        Some(nick) => format!("até logo, {nick}!"),
        None => "até logo!".to_owned(),
    };
    ServerLine::Bye { text }
}

/// A nickname that breaks the rules.
pub fn nick_invalid(why: &NicknameError) -> ServerLine {
    error(
        ErrorCode::NickInvalid,
        format!("{why} — escolha outro apelido"),
    )
}

/// A nickname someone else has.
pub fn nick_in_use(nick: &Nickname) -> ServerLine {
    error(
        ErrorCode::NickInUse,
        format!("o apelido {nick} já está em uso — escolha outro apelido"),
    )
}

/// A line the parser refused.
pub fn parse_error(err: &ParseError) -> ServerLine {
    match err {
        ParseError::Forbidden(TextError::ForbiddenCharacter { ch, .. }) => {
            error(ErrorCode::ForbiddenCharacter, forbidden_character(*ch))
        }
        ParseError::UnknownCommand(name) => error(
            ErrorCode::UnknownCommand,
            format!("comando desconhecido: /{name} — /AJUDA lista os comandos"),
        ),
        ParseError::MissingArgument { usage } => error(
            ErrorCode::MissingArgument,
            format!("faltou argumento; uso: {usage}"),
        ),
        ParseError::InvalidArgument { usage } => error(
            ErrorCode::InvalidArgument,
            format!("argumento inválido; uso: {usage}"),
        ),
    }
}

/// What is wrong with a forbidden character, in plain words.
fn forbidden_character(ch: char) -> String {
    let code = u32::from(ch);
    let what = match ch {
        // What arrow keys, Home or F-keys typed into nc really send.
        '\u{1b}' => {
            "o caractere de escape ESC, U+001B (teclas de seta e de função no nc enviam um)"
                .to_owned()
        }
        '\r' => "um retorno de carro (CR, U+000D) no meio da linha".to_owned(),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
            format!("U+{code:04X}, que inverte a direção do texto para os outros")
        }
        '\u{2028}' | '\u{2029}' => format!("U+{code:04X}, uma quebra de linha disfarçada"),
        _ => format!("o caractere de controle U+{code:04X}"),
    };
    format!("a linha contém {what}; nada foi enviado")
}

/// A line over the length limit.
pub fn line_too_long(max: usize) -> ServerLine {
    error(
        ErrorCode::LineTooLong,
        format!("linha maior que {max} bytes; foi descartada"),
    )
}

/// A line that is not UTF-8.
pub fn invalid_utf8() -> ServerLine {
    error(
        ErrorCode::InvalidUtf8,
        "a linha não é UTF-8 válido; foi descartada",
    )
}

/// The server is full.
pub fn server_full(max: usize) -> ServerLine {
    error(
        ErrorCode::ServerFull,
        format!("servidor cheio ({max} conexões); tente mais tarde"),
    )
}

/// Too many connections are still choosing a nickname.
pub fn too_many_unjoined() -> ServerLine {
    error(
        ErrorCode::ServerFull,
        "conexões demais ainda sem apelido; tente de novo em instantes",
    )
}

/// Said to a connection that arrives while the server shuts down, and to everyone at shutdown.
pub fn shutting_down() -> ServerLine {
    ServerLine::Bye {
        text: SHUTTING_DOWN.into(),
    }
}

/// The `/AJUDA` answer, one `HELP` line each.
pub fn help() -> Vec<ServerLine> {
    let mut lines = vec!["comandos (maiúsculas ou minúsculas tanto faz):".to_owned()];
    for info in &COMMANDS {
        let aliases: Vec<String> = info.aliases.iter().map(|a| format!("/{a}")).collect();
        let also = if aliases.is_empty() {
            String::new()
        } else {
            format!(" (também {})", aliases.join(", "))
        };
        lines.push(format!("  {:<20} {}{also}", info.usage, info.summary));
    }
    lines.push("texto sem / vai para a sala; //texto envia uma linha que começa com /".into());
    lines
        .into_iter()
        .map(|text| ServerLine::Help { text })
        .collect()
}

/// Why a member was dropped for asking faster than it reads its replies.
pub const SLOW_READER: &str = "parou de ler as respostas (fila de respostas cheia)";
/// Why a member was dropped for a runaway line.
pub const RUNAWAY: &str = "enviou dados demais sem quebra de linha";
/// The reason given when a connection closes without `/SAIR`.
pub const CONNECTION_CLOSED: &str = "conexão encerrada";
/// The reason given when reading from a connection fails.
pub const CONNECTION_LOST: &str = "conexão perdida";
/// Sent to every member when the server shuts down.
pub const SHUTTING_DOWN: &str = "servidor encerrando";

/// Where the live events begin, after the replay on joining.
pub fn live(last: papo_protocol::EventId, replayed: bool) -> ServerLine {
    let text = if replayed {
        "fim do histórico; ao vivo a partir daqui"
    } else {
        "ao vivo a partir daqui"
    };
    ServerLine::Live {
        last,
        text: text.to_owned(),
    }
}

/// Events that could not be replayed.
pub fn skipped(count: u64) -> ServerLine {
    let text = if count == 1 {
        "1 evento antigo não pôde ser reenviado".to_owned()
    } else {
        format!("{count} eventos antigos não puderam ser reenviados")
    };
    ServerLine::Skipped { count, text }
}

/// Told to everyone when the history store fails, and to each member who joins after.
pub const HISTORY_NOT_KEPT: &str = "atenção: o histórico não está sendo gravado (falha no armazenamento do servidor); a conversa continua";

/// Why a member's old connection leaves when its session resumes on a new one.
pub const SESSION_RESUMED: &str = "reconectou (sessão retomada em outra conexão)";

/// Why a member was dropped for flooding.
pub const FLOODED: &str = "inundou a sala (linhas demais à frente do limite de envio)";

/// Told once when a member's lines start waiting for their turn.
pub fn held_back(per_second: u32) -> ServerLine {
    ServerLine::Notice {
        text: format!(
            "suas linhas estão saindo aos poucos (até {per_second} por segundo); /SAIR cancela as que faltam"
        ),
    }
}

/// Told when `/SAIR` cancels lines still waiting for their turn.
pub fn cancelled(count: usize) -> ServerLine {
    let text = if count == 1 {
        "1 linha ainda na fila não foi enviada".to_owned()
    } else {
        format!("{count} linhas ainda na fila não foram enviadas")
    };
    ServerLine::Notice { text }
}

/// Why a connection that never joined is closed.
pub fn register_timeout(secs: u64) -> String {
    format!("tempo esgotado: nenhum apelido aceito em {secs} s")
}

/// Why a connection is closed after too many refused nicknames.
pub const TOO_MANY_NICK_ATTEMPTS: &str = "apelidos recusados demais; conecte de novo para tentar";
