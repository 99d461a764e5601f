/**
 * Saves `text` as a file. The file is built in the page (a Blob) and handed to an <a download>,
 * so nothing is fetched by URL: the session stays in its cookie and no token ends up in an
 * address, the history or a proxy log.
 */
export function downloadText(fileName: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
