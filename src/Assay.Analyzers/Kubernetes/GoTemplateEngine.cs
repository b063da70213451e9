using System.Collections;
using System.Globalization;
using System.Text;

namespace Assay.Analyzers.Kubernetes;

/// <summary>A value with fields and methods in a template (<c>.Files.Get</c>, <c>.Capabilities.APIVersions.Has</c>).</summary>
internal interface ITemplateObject
{
    bool TryGetField(string name, out object? value);

    bool TryCall(string name, IReadOnlyList<object?> args, out object? value);
}

/// <summary>
/// Executes parsed Go templates over plain values (maps, lists, scalars) with Helm's function
/// set (<see cref="TemplateFunctions"/>). Bounded: output size, steps, include depth.
/// Lenient where Helm is strict about nothing that matters for analysis: a field of a missing
/// value is nil rather than an error, so templates that guard with <c>if</c> render the same.
/// </summary>
internal sealed class GoTemplateEngine
{
    public const int MaxOutputChars = 8 << 20;
    public const int MaxSteps = 5_000_000;
    public const int MaxIncludeDepth = 64;

    private readonly Dictionary<string, IReadOnlyList<TNode>> _templates = new(StringComparer.Ordinal);
    private int _steps;

    public GoTemplateEngine() => Functions = new TemplateFunctions();

    public TemplateFunctions Functions { get; }

    /// <summary>Parses a file and keeps its <c>define</c>s (visible to every template of the chart); returns its body.</summary>
    public IReadOnlyList<TNode> Add(string name, string source)
    {
        var (body, defines) = GoTemplateParser.Parse(name, source);
        foreach (var (k, v) in defines)
            _templates[k] = v;
        // A file is a template of its own name too: charts include "chart/templates/configmap.yaml" for checksums.
        _templates.TryAdd(name, body);
        return body;
    }

    public bool HasTemplate(string name) => _templates.ContainsKey(name);

    /// <summary>Renders a body with dot = <paramref name="data"/>.</summary>
    public string Render(string name, IReadOnlyList<TNode> body, object? data)
    {
        var state = new State(this, name, data);
        var sb = new StringBuilder();
        state.Run(body, data, sb);
        return sb.ToString();
    }

    /// <summary><c>include</c>/<c>template</c>: a named template rendered with dot = <paramref name="data"/>.</summary>
    internal string RenderNamed(string name, object? data, int depth)
    {
        if (!_templates.TryGetValue(name, out var body))
            throw new TemplateException($"no template named \"{name}\" (is the defining file or subchart missing?)");
        if (depth > MaxIncludeDepth)
            throw new TemplateException($"templates include each other deeper than {MaxIncludeDepth} (\"{name}\"); a recursive include?");
        var state = new State(this, name, data) { Depth = depth };
        var sb = new StringBuilder();
        state.Run(body, data, sb);
        return sb.ToString();
    }

    /// <summary><c>tpl</c>: renders a string as a template; its defines join the chart's.</summary>
    internal string RenderString(string source, object? data, int depth)
    {
        var body = Add("tpl", source);
        var state = new State(this, "tpl", data) { Depth = depth + 1 };
        var sb = new StringBuilder();
        state.Run(body, data, sb);
        return sb.ToString();
    }

    private void Step()
    {
        if (++_steps > MaxSteps)
            throw new TemplateException($"rendering took more than {MaxSteps:N0} steps; stopped (a template loop over huge data?)");
    }

    // ---- truth, fields, comparisons: Go text/template semantics ----

    /// <summary>Go's truth: false, 0, nil, and empty strings, lists and maps are false.</summary>
    public static bool IsTrue(object? v) => v switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        int i => i != 0,
        double d => d != 0,
        string s => s.Length > 0,
        ICollection c => c.Count > 0,
        IDictionary<string, object?> m => m.Count > 0,
        _ => true,
    };

    public static object? Field(object? target, string name)
    {
        if (target is ITemplateObject o && (o.TryGetField(name, out var f) || o.TryCall(name, [], out f)))
            return f;
        return target is IDictionary<string, object?> map && map.TryGetValue(name, out var v) ? v : null;
    }

    private sealed class BreakSignal : Exception;

    private sealed class ContinueSignal : Exception;

    /// <summary>One execution: the variable scopes and the include depth.</summary>
    private sealed class State(GoTemplateEngine engine, string name, object? root)
    {
        private readonly List<(string Name, object? Value)> _vars = [("$", root)];

        public int Depth { get; init; }

        public void Run(IReadOnlyList<TNode> nodes, object? dot, StringBuilder sb)
        {
            var mark = _vars.Count;
            try
            {
                foreach (var node in nodes)
                    Exec(node, dot, sb);
            }
            finally
            {
                _vars.RemoveRange(mark, _vars.Count - mark);
            }
        }

        private void Exec(TNode node, object? dot, StringBuilder sb)
        {
            engine.Step();
            switch (node)
            {
                case TText t:
                    Append(sb, t.Text);
                    break;
                case TAction a:
                    {
                        var value = Pipeline(a.Pipeline, dot);
                        if (a.Pipeline.Variables.Count == 0)
                            Append(sb, Print(value));
                        break;
                    }
                case TIf i:
                    if (IsTrue(Pipeline(i.Condition, dot)))
                        Run(i.Then, dot, sb);
                    else if (i.Else is not null)
                        Run(i.Else, dot, sb);
                    break;
                case TWith w:
                    {
                        var mark = _vars.Count;
                        var value = Pipeline(w.Pipeline, dot);
                        if (IsTrue(value))
                            Run(w.Body, value, sb);
                        else if (w.Else is not null)
                            Run(w.Else, dot, sb);
                        _vars.RemoveRange(mark, _vars.Count - mark);
                        break;
                    }
                case TRange r:
                    ExecRange(r, dot, sb);
                    break;
                case TTemplate t:
                    {
                        var data = t.Pipeline is null ? null : Pipeline(t.Pipeline, dot);
                        Append(sb, engine.RenderNamed(t.Name, data, Depth + 1));
                        break;
                    }
                case TBreak:
                    throw new BreakSignal();
                case TContinue:
                    throw new ContinueSignal();
            }
        }

        private void ExecRange(TRange r, object? dot, StringBuilder sb)
        {
            var mark = _vars.Count;
            var pipe = r.Pipeline with { Variables = [] };
            var value = Pipeline(pipe, dot);
            var items = new List<(object? Key, object? Value)>();
            switch (value)
            {
                case null:
                    break;
                case IDictionary<string, object?> map:
                    items.AddRange(map.Keys.Order(StringComparer.Ordinal).Select(k => ((object?)k, map[k])));
                    break;
                case string s:
                    throw new TemplateException($"{name}: range can't iterate over a string (\"{Truncate(s)}\")");
                case IList list:
                    for (var i = 0; i < list.Count; i++)
                        items.Add((i, list[i]));
                    break;
                case long n:
                    if (n > 1_000_000)
                        throw new TemplateException($"{name}: range over {n} is more than Assay iterates");
                    for (long i = 0; i < n; i++)
                        items.Add((i, i));
                    break;
                default:
                    throw new TemplateException($"{name}: range can't iterate over {TemplateFunctions.KindOf(value)}");
            }
            if (items.Count == 0)
            {
                if (r.Else is not null)
                    Run(r.Else, dot, sb);
                return;
            }
            foreach (var (key, item) in items)
            {
                _vars.RemoveRange(mark, _vars.Count - mark);
                if (r.Pipeline.Variables.Count == 1)
                    _vars.Add((r.Pipeline.Variables[0], item));
                else if (r.Pipeline.Variables.Count == 2)
                {
                    _vars.Add((r.Pipeline.Variables[0], key));
                    _vars.Add((r.Pipeline.Variables[1], item));
                }
                try
                {
                    Run(r.Body, item, sb);
                }
                catch (ContinueSignal)
                {
                }
                catch (BreakSignal)
                {
                    break;
                }
            }
            _vars.RemoveRange(mark, _vars.Count - mark);
        }

        private object? Pipeline(TPipeline pipe, object? dot)
        {
            object? value = null;
            var first = true;
            foreach (var command in pipe.Commands)
            {
                value = Command(command, dot, first ? Missing.Value : value, pipe.Line);
                first = false;
            }
            if (pipe.Variables.Count > 0)
            {
                if (pipe.Assign)
                {
                    var index = _vars.FindLastIndex(v => v.Name == pipe.Variables[0]);
                    if (index < 0)
                        throw new TemplateException($"{name}:{pipe.Line}: undefined variable {pipe.Variables[0]}");
                    _vars[index] = (pipe.Variables[0], value);
                }
                else
                    _vars.Add((pipe.Variables[^1], value));
            }
            return value;
        }

        private object? Command(TCommand command, object? dot, object? piped, int line)
        {
            engine.Step();
            var head = command.Args[0];
            var hasPiped = piped is not Missing;
            if (head is TIdentifier id)
            {
                if (id.Name is "and" or "or")
                    return AndOr(id.Name == "and", command.Args.Skip(1).ToList(), dot, piped, hasPiped, line);
                var args = new List<object?>(command.Args.Count);
                foreach (var arg in command.Args.Skip(1))
                    args.Add(Operand(arg, dot, line));
                if (hasPiped)
                    args.Add(piped);
                try
                {
                    return id.Name switch
                    {
                        "include" => engine.RenderNamed(args.Count > 0 ? TemplateFunctions.Str(args[0]) : throw new TemplateException("include needs a template name"), args.Count > 1 ? args[1] : null, Depth + 1),
                        "tpl" => engine.RenderString(args.Count > 0 ? TemplateFunctions.Str(args[0]) : "", args.Count > 1 ? args[1] : null, Depth),
                        _ => engine.Functions.Call(id.Name, args),
                    };
                }
                catch (TemplateException e) when (!e.Message.StartsWith(name + ":", StringComparison.Ordinal) && !e.Message.Contains(".yaml:", StringComparison.Ordinal) && !e.Message.Contains(".tpl:", StringComparison.Ordinal))
                {
                    throw new TemplateException($"{name}:{line}: {e.Message}");
                }
            }
            // a method call with arguments: .Files.Get "x", .Capabilities.APIVersions.Has "apps/v1"
            if (command.Args.Count > 1 || (hasPiped && head is TField { Names.Count: > 0 }))
            {
                var (target, method) = MethodTarget(head, dot, line);
                var args = command.Args.Skip(1).Select(a => Operand(a, dot, line)).ToList();
                if (hasPiped)
                    args.Add(piped);
                if (target is ITemplateObject o && method is not null && o.TryCall(method, args, out var result))
                    return result;
                throw new TemplateException($"{name}:{line}: can't give arguments to {Describe(head)}; it is not a function or method");
            }
            if (hasPiped)
                throw new TemplateException($"{name}:{line}: can't pipe a value into {Describe(head)}");
            return Operand(head, dot, line);
        }

        private object? AndOr(bool isAnd, List<TOperand> operands, object? dot, object? piped, bool hasPiped, int line)
        {
            object? last = null;
            var count = 0;
            foreach (var op in operands)
            {
                last = Operand(op, dot, line);
                count++;
                if (IsTrue(last) != isAnd)
                    return last;
            }
            if (hasPiped)
            {
                last = piped;
                count++;
            }
            if (count == 0)
                throw new TemplateException($"{name}:{line}: {(isAnd ? "and" : "or")} needs arguments");
            return last;
        }

        private (object? Target, string? Method) MethodTarget(TOperand head, object? dot, int line) => head switch
        {
            TField { Names.Count: > 0 } f => (Chain(dot, f.Names.Take(f.Names.Count - 1)), f.Names[^1]),
            TVariable { Names.Count: > 0 } v => (Chain(Variable(v.Name, line), v.Names.Take(v.Names.Count - 1)), v.Names[^1]),
            _ => (null, null),
        };

        private object? Operand(TOperand op, object? dot, int line) => op switch
        {
            TLiteral l => l.Value,
            TField f => Chain(dot, f.Names),
            TVariable v => Chain(Variable(v.Name, line), v.Names),
            TSub s => Chain(Pipeline(s.Pipeline, dot), s.Names),
            TIdentifier id => id.Name is "and" or "or" ? throw new TemplateException($"{name}:{line}: {id.Name} needs arguments") : engine.Functions.Call(id.Name, []),
            _ => null,
        };

        private object? Variable(string variable, int line)
        {
            for (var i = _vars.Count - 1; i >= 0; i--)
            {
                if (_vars[i].Name == variable)
                    return _vars[i].Value;
            }
            throw new TemplateException($"{name}:{line}: undefined variable {variable}");
        }

        private static object? Chain(object? value, IEnumerable<string> names)
        {
            foreach (var n in names)
                value = Field(value, n);
            return value;
        }

        private static string Describe(TOperand op) => op switch
        {
            TField f => "." + string.Join('.', f.Names),
            TVariable v => v.Name + string.Concat(v.Names.Select(n => "." + n)),
            TLiteral l => TemplateFunctions.Str(l.Value),
            _ => "a value",
        };

        private void Append(StringBuilder sb, string text)
        {
            if (sb.Length + text.Length > MaxOutputChars)
                throw new TemplateException($"{name}: output passes {MaxOutputChars:N0} characters; stopped");
            sb.Append(text);
        }

        private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
    }

    /// <summary>How a value prints in an action: Go's fmt %v for the types templates meet.</summary>
    public static string Print(object? value) => value switch
    {
        // Helm replaces text/template's "<no value>" with nothing
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => YamlValues.FormatDouble(d),
        IDictionary<string, object?> m => "map[" + string.Join(' ', m.Keys.Order(StringComparer.Ordinal).Select(k => k + ":" + Print(m[k]))) + "]",
        IList l => "[" + string.Join(' ', l.Cast<object?>().Select(Print)) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>Marks "no value piped in" (distinct from a piped nil).</summary>
    private sealed class Missing
    {
        public static readonly Missing Value = new();
    }
}
