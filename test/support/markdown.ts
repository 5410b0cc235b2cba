/** The ```ts code blocks of a Markdown document, including indented ones (in list items), dedented. */
export function tsCodeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^([ \t]*)```ts\n([\s\S]*?)^\1```$/gm)].map((m) => {
    const indent = m[1] ?? '';
    return (m[2] ?? '')
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n');
  });
}
