// Where Vouch's emails go: an SMTP server through nodemailer when SMTP_URL is set; otherwise a development
// mailer that prints each email (with its link) to stdout, so double opt-in can be tried without a mail server.
import { createTransport, type Mail } from "nodemailer";

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A refusal the SMTP server gave for good (5xx): retrying the same email would be refused again. */
export class PermanentMailError extends Error {}

export interface Mailer {
  readonly kind: "smtp" | "development";
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

export class SmtpMailer implements Mailer {
  readonly kind = "smtp";
  private readonly transport: Mail;

  constructor(smtpUrl: string, timeoutMs = 30_000) {
    // The URL's settings (host, port, credentials, smtps) win; these fill in the rest.
    this.transport = createTransport({
      url: smtpUrl,
      pool: true,
      maxConnections: 2,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(email: OutgoingEmail): Promise<void> {
    try {
      await this.transport.sendMail(email);
    } catch (err) {
      const code = (err as { responseCode?: unknown }).responseCode;
      const message = (err as Error).message;
      if (typeof code === "number" && code >= 500 && code < 600) throw new PermanentMailError(message);
      throw err;
    }
  }

  close(): void {
    this.transport.close();
  }
}

export class DevelopmentMailer implements Mailer {
  readonly kind = "development";

  constructor(private readonly print: (text: string) => void = (text) => console.log(text)) {}

  async send(email: OutgoingEmail): Promise<void> {
    const body = email.text
      .split("\n")
      .map((line) => `  | ${line}`)
      .join("\n");
    this.print(
      `vouch: email (development mailer; set SMTP_URL to send it)\n  To: ${email.to}\n  From: ${email.from}\n  Subject: ${email.subject}\n${body}`,
    );
  }

  close(): void {}
}

export function createMailer(smtpUrl: string | undefined, print?: (text: string) => void): Mailer {
  return smtpUrl ? new SmtpMailer(smtpUrl) : new DevelopmentMailer(print);
}
