import { withoutBidiControls } from "../ui/bidi";
import { authorizationHeader } from "./session";

/**
 * Attachment contents are served at /attachments/<reference> and need the bearer token (a plain
 * link would not carry it), so the file is fetched and handed to the browser as a blob download.
 */
export async function downloadAttachment(
  token: string,
  reference: string,
  fileName: string,
): Promise<void> {
  const response = await fetch(`/attachments/${encodeURIComponent(reference)}`, {
    headers: { authorization: authorizationHeader(token) },
  });
  if (!response.ok) {
    throw new Error(
      response.status === 404
        ? "The attachment's contents were not found (they are only stored when the mailbox syncs attachments)."
        : response.status === 401 || response.status === 403
          ? "This token may not read message contents (messages-read)."
          : `The server answered ${response.status}.`,
    );
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = withoutBidiControls(fileName);
  link.rel = "noopener";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
