// A real SMTP server for tests (the smtp-server package): Vouch's nodemailer transport talks SMTP to it over
// 127.0.0.1. It records every message as received, and can refuse recipients as told (451 or 550).
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent (headers and MIME body). */
  raw: string;
  /** The text/plain part, decoded from quoted-printable. */
  text: string;
}

export class SmtpReceiver {
  readonly mails: ReceivedMail[] = [];
  /** Recipients refused so far (each try counts). */
  refusals = 0;
  /** Refuse every recipient with this SMTP code while set. */
  refuseWith: 451 | 550 | null = null;
  private constructor(private readonly server: SMTPServer) {}

  static async start(port = 0): Promise<SmtpReceiver> {
    let self: SmtpReceiver | undefined;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (self?.refuseWith) {
          self.refusals++;
          const err = Object.assign(new Error(`${address.address}: refused for the test`), {
            responseCode: self.refuseWith,
          });
          return callback(err);
        }
        callback();
      },
      onData(stream, session, callback) {
        let raw = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
          raw += chunk;
        });
        stream.on("end", () => {
          self?.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            text: textPart(raw),
          });
          callback();
        });
      },
    });
    self = new SmtpReceiver(server);
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return self;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The text/plain part of a MIME message, quoted-printable decoded (enough for nodemailer's output). */
function textPart(raw: string): string {
  const part =
    /Content-Type: text\/plain[^\r\n]*\r?\n((?:[^\r\n]+\r?\n)*?)\r?\n([\s\S]*?)(?:\r?\n--|$)/i.exec(raw);
  if (!part) return "";
  const headers = part[1] ?? "";
  const body = part[2] ?? "";
  if (!/quoted-printable/i.test(headers)) return body;
  return Buffer.from(
    body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    "latin1",
  ).toString("utf8");
}
