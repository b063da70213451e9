using System.Globalization;
using System.Text;

namespace Assay.Analyzers.Kubernetes;

/// <summary>A template that cannot be parsed or rendered: the message says where and why.</summary>
public sealed class TemplateException(string message) : Exception(message);

// ---- the parse tree of Go's text/template (pkg.go.dev/text/template, "Actions", "Pipelines") ----

internal abstract record TNode;

internal sealed record TText(string Text) : TNode;

internal sealed record TAction(TPipeline Pipeline) : TNode;

internal sealed record TIf(TPipeline Condition, IReadOnlyList<TNode> Then, IReadOnlyList<TNode>? Else) : TNode;

internal sealed record TRange(TPipeline Pipeline, IReadOnlyList<TNode> Body, IReadOnlyList<TNode>? Else) : TNode;

internal sealed record TWith(TPipeline Pipeline, IReadOnlyList<TNode> Body, IReadOnlyList<TNode>? Else) : TNode;

internal sealed record TTemplate(string Name, TPipeline? Pipeline) : TNode;

internal sealed record TBreak : TNode;

internal sealed record TContinue : TNode;

/// <summary><c>$a, $b := cmd | cmd</c>: declared (or assigned) variables and the commands.</summary>
internal sealed record TPipeline(IReadOnlyList<string> Variables, bool Assign, IReadOnlyList<TCommand> Commands, int Line);

internal sealed record TCommand(IReadOnlyList<TOperand> Args);

internal abstract record TOperand;

internal sealed record TLiteral(object? Value) : TOperand;

/// <summary><c>.A.B</c> on dot (no names: dot itself).</summary>
internal sealed record TField(IReadOnlyList<string> Names) : TOperand;

/// <summary><c>$x.A.B</c>; <c>$</c> is the root.</summary>
internal sealed record TVariable(string Name, IReadOnlyList<string> Names) : TOperand;

/// <summary>A function name.</summary>
internal sealed record TIdentifier(string Name) : TOperand;

/// <summary><c>(pipeline).A.B</c>.</summary>
internal sealed record TSub(TPipeline Pipeline, IReadOnlyList<string> Names) : TOperand;

/// <summary>
/// Parses Go text/template source into a tree, with the <c>define</c>d templates collected apart.
/// Covers what Helm charts use: text and actions with <c>{{-</c>/<c>-}}</c> trimming, comments,
/// pipelines, variables (<c>:=</c>, <c>=</c>), if/else if/else, range (with index/value
/// variables, else), with/else, define, template, block, break and continue.
/// </summary>
internal sealed class GoTemplateParser
{
    private const int MaxDepth = 100;

    private readonly string _name;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private int _depth;

    private GoTemplateParser(string name) => _name = name;

    /// <summary>The main body and the templates it defines (<c>define</c> and <c>block</c>).</summary>
    public static (IReadOnlyList<TNode> Body, Dictionary<string, IReadOnlyList<TNode>> Defines) Parse(string name, string source)
    {
        var parser = new GoTemplateParser(name);
        parser.Lex(source);
        var defines = new Dictionary<string, IReadOnlyList<TNode>>(StringComparer.Ordinal);
        var body = parser.ParseList(defines, out var end);
        if (end is not null)
            throw parser.Error($"unexpected {{{{{end}}}}}", parser.Current.Line);
        return (body, defines);
    }

    // ---- lexer ----

    private enum Kind
    {
        Text,
        Open,
        Close,
        Word,
        Field,
        Variable,
        String,
        Number,
        Char,
        LeftParen,
        RightParen,
        Pipe,
        Declare,
        Assign,
        Comma,
        Dot,
        Eof,
    }

    private readonly record struct Token(Kind Kind, string Text, int Line);

    private Token Current => _tokens[_pos];

    private void Lex(string s)
    {
        var i = 0;
        var line = 1;
        var trimNext = false;
        while (i < s.Length)
        {
            var open = s.IndexOf("{{", i, StringComparison.Ordinal);
            var textEnd = open < 0 ? s.Length : open;
            var trimLeft = open >= 0 && open + 3 < s.Length && s[open + 2] == '-' && IsSpace(s[open + 3]);
            var text = s[i..textEnd];
            if (trimNext)
                text = text.TrimStart(' ', '\t', '\r', '\n');
            if (trimLeft)
                text = text.TrimEnd(' ', '\t', '\r', '\n');
            if (text.Length > 0)
                _tokens.Add(new Token(Kind.Text, text, line));
            line += CountLines(s, i, textEnd);
            if (open < 0)
                break;
            i = open + 2 + (trimLeft ? 2 : 0);
            // comment: {{/* ... */}} (with optional trim markers)
            var j = i;
            while (j < s.Length && IsSpace(s[j]) && trimLeft)
                j++;
            if (j + 1 < s.Length && s[j] == '/' && s[j + 1] == '*')
            {
                var close = s.IndexOf("*/", j + 2, StringComparison.Ordinal);
                if (close < 0)
                    throw Error("unclosed comment", line);
                var k = close + 2;
                while (k < s.Length && IsSpace(s[k]))
                    k++;
                var trimRight = k < s.Length && s[k] == '-';
                if (trimRight)
                    k++;
                if (k + 1 >= s.Length || s[k] != '}' || s[k + 1] != '}')
                    throw Error("comment must end with */}}", line);
                line += CountLines(s, i, k);
                i = k + 2;
                trimNext = trimRight;
                continue;
            }
            _tokens.Add(new Token(Kind.Open, "{{", line));
            i = LexAction(s, i, ref line, out trimNext);
        }
        _tokens.Add(new Token(Kind.Eof, "", line));
    }

    private int LexAction(string s, int i, ref int line, out bool trimRight)
    {
        while (true)
        {
            if (i >= s.Length)
                throw Error("unclosed action (no }})", line);
            var c = s[i];
            if (c == '\n')
                line++;
            if (IsSpace(c))
            {
                if (i + 3 < s.Length && s[i + 1] == '-' && s[i + 2] == '}' && s[i + 3] == '}')
                {
                    _tokens.Add(new Token(Kind.Close, "}}", line));
                    trimRight = true;
                    return i + 4;
                }
                i++;
                continue;
            }
            if (c == '}' && i + 1 < s.Length && s[i + 1] == '}')
            {
                _tokens.Add(new Token(Kind.Close, "}}", line));
                trimRight = false;
                return i + 2;
            }
            switch (c)
            {
                case '(':
                    _tokens.Add(new Token(Kind.LeftParen, "(", line));
                    i++;
                    continue;
                case ')':
                    _tokens.Add(new Token(Kind.RightParen, ")", line));
                    i++;
                    // a field chain may follow a parenthesized pipeline: (...).Name
                    continue;
                case '|':
                    _tokens.Add(new Token(Kind.Pipe, "|", line));
                    i++;
                    continue;
                case ',':
                    _tokens.Add(new Token(Kind.Comma, ",", line));
                    i++;
                    continue;
                case ':' when i + 1 < s.Length && s[i + 1] == '=':
                    _tokens.Add(new Token(Kind.Declare, ":=", line));
                    i += 2;
                    continue;
                case '=':
                    _tokens.Add(new Token(Kind.Assign, "=", line));
                    i++;
                    continue;
                case '"':
                    {
                        var sb = new StringBuilder();
                        var k = i + 1;
                        while (true)
                        {
                            if (k >= s.Length || s[k] == '\n')
                                throw Error("unterminated quoted string", line);
                            if (s[k] == '"')
                                break;
                            if (s[k] == '\\' && k + 1 < s.Length)
                            {
                                k++;
                                switch (s[k])
                                {
                                    case 'n': sb.Append('\n'); break;
                                    case 't': sb.Append('\t'); break;
                                    case 'r': sb.Append('\r'); break;
                                    case '\\': sb.Append('\\'); break;
                                    case '"': sb.Append('"'); break;
                                    case '\'': sb.Append('\''); break;
                                    case 'u' when k + 4 < s.Length && int.TryParse(s.AsSpan(k + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var u):
                                        sb.Append((char)u);
                                        k += 4;
                                        break;
                                    case 'x' when k + 2 < s.Length && int.TryParse(s.AsSpan(k + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var x):
                                        sb.Append((char)x);
                                        k += 2;
                                        break;
                                    default: sb.Append('\\').Append(s[k]); break;
                                }
                                k++;
                                continue;
                            }
                            sb.Append(s[k]);
                            k++;
                        }
                        _tokens.Add(new Token(Kind.String, sb.ToString(), line));
                        i = k + 1;
                        continue;
                    }
                case '`':
                    {
                        var close = s.IndexOf('`', i + 1);
                        if (close < 0)
                            throw Error("unterminated raw string", line);
                        _tokens.Add(new Token(Kind.String, s[(i + 1)..close], line));
                        line += CountLines(s, i, close);
                        i = close + 1;
                        continue;
                    }
                case '\'':
                    {
                        var close = s.IndexOf('\'', i + 1);
                        if (close < 0 || close - i > 8)
                            throw Error("bad character constant", line);
                        var body = s[(i + 1)..close];
                        var ch = body.StartsWith('\\') && body.Length == 2 ? body[1] switch { 'n' => '\n', 't' => '\t', _ => body[1] } : body.Length == 1 ? body[0] : '?';
                        _tokens.Add(new Token(Kind.Char, ((int)ch).ToString(CultureInfo.InvariantCulture), line));
                        i = close + 1;
                        continue;
                    }
                case '$':
                    {
                        var k = i + 1;
                        while (k < s.Length && (char.IsLetterOrDigit(s[k]) || s[k] == '_'))
                            k++;
                        _tokens.Add(new Token(Kind.Variable, s[i..k], line));
                        i = k;
                        continue;
                    }
                case '.':
                    {
                        if (i + 1 < s.Length && char.IsDigit(s[i + 1]))
                            break;
                        var k = i + 1;
                        while (k < s.Length && (char.IsLetterOrDigit(s[k]) || s[k] == '_'))
                            k++;
                        if (k > i + 1 && i > 0 && (char.IsLetterOrDigit(s[i - 1]) || s[i - 1] is '_' or ')' or '$'))
                            _adjacent.Add(_tokens.Count);
                        _tokens.Add(k == i + 1 ? new Token(Kind.Dot, ".", line) : new Token(Kind.Field, s[(i + 1)..k], line));
                        i = k;
                        continue;
                    }
            }
            if (char.IsDigit(c) || ((c is '-' or '+' or '.') && i + 1 < s.Length && char.IsDigit(s[i + 1])))
            {
                var k = i + 1;
                while (k < s.Length && (char.IsLetterOrDigit(s[k]) || s[k] is '.' or '_' || ((s[k] is '+' or '-') && s[k - 1] is 'e' or 'E')))
                    k++;
                _tokens.Add(new Token(Kind.Number, s[i..k], line));
                i = k;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                var k = i + 1;
                while (k < s.Length && (char.IsLetterOrDigit(s[k]) || s[k] == '_'))
                    k++;
                _tokens.Add(new Token(Kind.Word, s[i..k], line));
                i = k;
                continue;
            }
            throw Error($"unexpected character '{c}' in action", line);
        }
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static int CountLines(string s, int from, int to)
    {
        var n = 0;
        for (var k = from; k < to && k < s.Length; k++)
        {
            if (s[k] == '\n')
                n++;
        }
        return n;
    }

    // ---- parser ----

    /// <summary>Nodes up to an <c>{{end}}</c>, <c>{{else …}}</c> or the end; <paramref name="end"/> says which keyword stopped it (null at EOF).</summary>
    private List<TNode> ParseList(Dictionary<string, IReadOnlyList<TNode>> defines, out string? end)
    {
        if (++_depth > MaxDepth)
            throw Error($"control structures nest deeper than {MaxDepth}", Current.Line);
        var nodes = new List<TNode>();
        try
        {
            while (true)
            {
                var t = Current;
                if (t.Kind == Kind.Eof)
                {
                    end = null;
                    return nodes;
                }
                if (t.Kind == Kind.Text)
                {
                    nodes.Add(new TText(t.Text));
                    _pos++;
                    continue;
                }
                Expect(Kind.Open);
                var keyword = Current.Kind == Kind.Word ? Current.Text : null;
                switch (keyword)
                {
                    case "end":
                        _pos++;
                        Expect(Kind.Close);
                        end = "end";
                        return nodes;
                    case "else":
                        _pos++;
                        end = "else";
                        return nodes;
                    case "if":
                        _pos++;
                        nodes.Add(ParseIf(defines));
                        continue;
                    case "range":
                        {
                            _pos++;
                            var pipe = ParsePipeline(Kind.Close);
                            var (body, other) = ParseBranches(defines, "range");
                            nodes.Add(new TRange(pipe, body, other));
                            continue;
                        }
                    case "with":
                        {
                            _pos++;
                            var pipe = ParsePipeline(Kind.Close);
                            var (body, other) = ParseBranches(defines, "with");
                            nodes.Add(new TWith(pipe, body, other));
                            continue;
                        }
                    case "define":
                        {
                            _pos++;
                            var name = Expect(Kind.String).Text;
                            Expect(Kind.Close);
                            var body = ParseList(defines, out var e);
                            if (e != "end")
                                throw Error($"define \"{name}\" has no {{{{end}}}}", Current.Line);
                            defines[name] = body;
                            continue;
                        }
                    case "template" or "block":
                        {
                            _pos++;
                            var name = Expect(Kind.String).Text;
                            TPipeline? pipe = null;
                            if (Current.Kind != Kind.Close)
                                pipe = ParsePipeline(Kind.Close);
                            else
                                _pos++;
                            if (keyword == "block")
                            {
                                var body = ParseList(defines, out var e);
                                if (e != "end")
                                    throw Error($"block \"{name}\" has no {{{{end}}}}", Current.Line);
                                defines.TryAdd(name, body);
                            }
                            nodes.Add(new TTemplate(name, pipe));
                            continue;
                        }
                    case "break":
                        _pos++;
                        Expect(Kind.Close);
                        nodes.Add(new TBreak());
                        continue;
                    case "continue":
                        _pos++;
                        Expect(Kind.Close);
                        nodes.Add(new TContinue());
                        continue;
                }
                nodes.Add(new TAction(ParsePipeline(Kind.Close)));
            }
        }
        finally
        {
            _depth--;
        }
    }

    private TIf ParseIf(Dictionary<string, IReadOnlyList<TNode>> defines)
    {
        var condition = ParsePipeline(Kind.Close);
        var then = ParseList(defines, out var end);
        if (end == "end")
            return new TIf(condition, then, null);
        if (end != "else")
            throw Error("if has no {{end}}", Current.Line);
        if (Current.Kind == Kind.Word && Current.Text == "if")
        {
            // {{else if c}} … : an if nested in the else branch that shares the {{end}}
            _pos++;
            return new TIf(condition, then, [ParseIf(defines)]);
        }
        Expect(Kind.Close);
        var other = ParseList(defines, out end);
        if (end != "end")
            throw Error("else has no {{end}}", Current.Line);
        return new TIf(condition, then, other);
    }

    private (List<TNode> Body, List<TNode>? Else) ParseBranches(Dictionary<string, IReadOnlyList<TNode>> defines, string what)
    {
        var body = ParseList(defines, out var end);
        if (end == "end")
            return (body, null);
        if (end != "else")
            throw Error($"{what} has no {{{{end}}}}", Current.Line);
        if (Current.Kind == Kind.Word && Current.Text is "with" && what == "with")
        {
            _pos++;
            var pipe = ParsePipeline(Kind.Close);
            var (b, e) = ParseBranches(defines, "with");
            return (body, [new TWith(pipe, b, e)]);
        }
        Expect(Kind.Close);
        var other = ParseList(defines, out end);
        if (end != "end")
            throw Error($"{what} else has no {{{{end}}}}", Current.Line);
        return (body, other);
    }

    private TPipeline ParsePipeline(Kind terminator)
    {
        var line = Current.Line;
        var variables = new List<string>();
        var assign = false;
        // $x := …, $i, $v := …, $x = …
        var save = _pos;
        if (Current.Kind == Kind.Variable)
        {
            var names = new List<string> { Current.Text };
            var k = _pos + 1;
            if (_tokens[k].Kind == Kind.Comma && _tokens[k + 1].Kind == Kind.Variable)
            {
                names.Add(_tokens[k + 1].Text);
                k += 2;
            }
            if (_tokens[k].Kind is Kind.Declare or Kind.Assign)
            {
                variables = names;
                assign = _tokens[k].Kind == Kind.Assign;
                _pos = k + 1;
            }
            else
                _pos = save;
        }
        var commands = new List<TCommand>();
        while (true)
        {
            var args = new List<TOperand>();
            while (Current.Kind is not (Kind.Pipe or Kind.Close or Kind.RightParen or Kind.Eof))
                args.Add(ParseOperand());
            if (args.Count == 0)
                throw Error("missing command in pipeline", Current.Line);
            commands.Add(new TCommand(args));
            if (Current.Kind == Kind.Pipe)
            {
                _pos++;
                continue;
            }
            break;
        }
        Expect(terminator);
        return new TPipeline(variables, assign, commands, line);
    }

    private TOperand ParseOperand()
    {
        var t = Current;
        _pos++;
        switch (t.Kind)
        {
            case Kind.Dot:
                return new TField([]);
            case Kind.Field:
                return new TField(FieldChain(t.Text));
            case Kind.Variable:
                return new TVariable(t.Text, FieldChain(null));
            case Kind.String:
                return new TLiteral(t.Text);
            case Kind.Char:
                return new TLiteral(long.Parse(t.Text, CultureInfo.InvariantCulture));
            case Kind.Number:
                return new TLiteral(ParseNumber(t.Text, t.Line));
            case Kind.Word:
                return t.Text switch
                {
                    "true" => new TLiteral(true),
                    "false" => new TLiteral(false),
                    "nil" => new TLiteral(null),
                    _ => new TIdentifier(t.Text),
                };
            case Kind.LeftParen:
                {
                    if (++_depth > MaxDepth)
                        throw Error($"parentheses nest deeper than {MaxDepth}", t.Line);
                    var pipe = ParsePipeline(Kind.RightParen);
                    _depth--;
                    return new TSub(pipe, FieldChain(null));
                }
            default:
                throw Error($"unexpected '{t.Text}' in action", t.Line);
        }
    }

    /// <summary>The rest of a field chain: <c>.A</c> then <c>.B.C</c> tokens that follow with no space.</summary>
    private List<string> FieldChain(string? first)
    {
        var names = new List<string>();
        if (first is not null)
            names.Add(first);
        while (Current.Kind == Kind.Field && IsAdjacent())
        {
            names.Add(Current.Text);
            _pos++;
        }
        return names;
    }

    // The lexer drops spaces, so ".a .b" and ".a.b" look alike; Helm charts only chain without
    // spaces, and two fields in a row as separate arguments are rare: treat a following field as
    // part of the chain only when the previous token was a field, variable or ')'.
    private bool IsAdjacent() => _pos > 0 && _tokens[_pos - 1].Kind is Kind.Field or Kind.Variable or Kind.RightParen && _adjacent.Contains(_pos);

    private readonly HashSet<int> _adjacent = [];

    private object ParseNumber(string text, int line)
    {
        var t = text.Replace("_", "", StringComparison.Ordinal);
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            return l;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var h))
            return h;
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return d;
        throw Error($"bad number syntax: {text}", line);
    }

    private Token Expect(Kind kind)
    {
        if (Current.Kind != kind)
            throw Error($"expected {Describe(kind)}, found '{(Current.Kind == Kind.Eof ? "end of template" : Current.Text)}'", Current.Line);
        return _tokens[_pos++];
    }

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Close => "}}",
        Kind.RightParen => ")",
        Kind.String => "a quoted name",
        _ => kind.ToString(),
    };

    private TemplateException Error(string message, int line) => new($"{_name}:{line}: {message}");
}
