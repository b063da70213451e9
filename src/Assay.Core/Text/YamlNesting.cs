namespace Assay.Core.Text;

/// <summary>
/// A pre-check for YAML read from an input: YamlDotNet's representation model recurses once per level
/// of nesting, so a document of nested brackets or dashes overflows the stack — which no handler can
/// catch — before any of our own depth limits sees a node. This scan runs on the text, without a
/// parser, and refuses nesting deeper than any real manifest, values file, pack or inventory needs.
/// </summary>
public static class YamlNesting
{
    /// <summary>Deepest nesting of flow collections (<c>[</c>, <c>{</c>) accepted.</summary>
    public const int MaxFlowDepth = 64;

    /// <summary>
    /// Furthest column a block indicator (<c>- </c>, <c>? </c>) or an indented line may start at: block
    /// nesting is by column, so this bounds block depth to a few hundred levels.
    /// </summary>
    public const int MaxIndent = 512;

    /// <summary>
    /// Null when the text nests within the limits, otherwise why not: the 1-based line and a sentence.
    /// Brackets count where YAML reads them as collections (after <c>:</c>, <c>,</c>, <c>-</c>, another
    /// bracket or at a line's start), not inside quoted or plain text or comments.
    /// </summary>
    public static (int Line, string Reason)? Check(string text)
    {
        var depth = 0;
        var line = 1;
        var lineStart = 0;
        var atLineStart = true;
        var raw = '\n';        // the character before this one
        var structural = true; // the last non-blank character opens a value (line start, ':', ',', '-', '?', '[', '{')
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                lineStart = i + 1;
                atLineStart = true;
                raw = '\n';
                structural = true;
                continue;
            }
            if (atLineStart && c == ' ')
            {
                if (i - lineStart >= MaxIndent)
                    return (line, $"indented more than {MaxIndent} spaces");
                raw = c;
                continue;
            }
            atLineStart = false;
            if (c is ' ' or '\t' or '\r')
            {
                raw = c;
                continue;
            }
            if (c == '#' && raw is ' ' or '\t' or '\n')
            {
                while (i + 1 < text.Length && text[i + 1] != '\n')
                    i++;
                continue;
            }
            if (c is '"' or '\'' && structural)
            {
                var quote = c;
                for (i++; i < text.Length && text[i] != quote; i++)
                {
                    if (text[i] == '\n')
                    {
                        line++;
                        lineStart = i + 1;
                    }
                    else if (quote == '"' && text[i] == '\\')
                        i++;
                }
                raw = quote;
                structural = false;
                continue;
            }
            if (c is '[' or '{')
            {
                // A bracket that opens a value opens a collection; one inside plain text is text.
                if (structural && ++depth > MaxFlowDepth)
                    return (line, $"brackets nested more than {MaxFlowDepth} deep");
            }
            else if (c is '-' or '?' && structural && depth == 0 && (i + 1 == text.Length || text[i + 1] is ' ' or '\n' or '\r' or '\t'))
            {
                // "- - - x" nests a sequence per dash on one line; its depth is bounded by the column.
                if (i - lineStart >= MaxIndent)
                    return (line, $"block entries nested past column {MaxIndent}");
                structural = true;
            }
            else
            {
                if (c is ']' or '}' && depth > 0)
                    depth--;
                structural = c is ':' or ',' or '-' or '?';
            }
            raw = c;
        }
        return null;
    }
}
