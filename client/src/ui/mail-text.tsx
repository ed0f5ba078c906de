import { revealBidiControls } from "./bidi";

/** Text that came with a message (a subject, an attachment name): isolated, controls revealed. */
export function MailText({ text }: { text: string }) {
  return <bdi>{revealBidiControls(text)}</bdi>;
}
