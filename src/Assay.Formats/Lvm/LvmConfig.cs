using System.Globalization;
using System.Text;

namespace Assay.Formats.Lvm;

/// <summary>
/// lvm2's configuration text format (the volume group metadata): <c>name { … }</c> sections,
/// <c>key = value</c> with numbers, "strings" and [lists], <c>#</c> comments. Bounded depth and size;
/// malformed text throws <see cref="System.FormatException"/>.
/// </summary>
internal static class LvmConfig
{
    private const int MaxDepth = 16;
    private const int MaxItems = 100_000;

    internal sealed class Section
    {
        public Dictionary<string, Section> Sections { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, object> Values { get; } = new(StringComparer.Ordinal);

        public long? Number(string key) => Values.GetValueOrDefault(key) as long?;

        public string? Text(string key) => Values.GetValueOrDefault(key) as string;

        public List<object> List(string key) => Values.GetValueOrDefault(key) as List<object> ?? [];
    }

    public static Section Parse(string text)
    {
        var reader = new Reader(text);
        var root = new Section();
        reader.Body(root, 0, topLevel: true);
        return root;
    }

    private sealed class Reader(string s)
    {
        private int _i;
        private int _items;

        public void Body(Section section, int depth, bool topLevel)
        {
            if (depth > MaxDepth)
                throw new System.FormatException($"sections nest deeper than {MaxDepth}");
            while (true)
            {
                Skip();
                if (_i >= s.Length)
                {
                    if (!topLevel)
                        throw new System.FormatException("a section is not closed (missing '}')");
                    return;
                }
                if (s[_i] == '}')
                {
                    if (topLevel)
                        throw new System.FormatException($"unexpected '}}' at {_i}");
                    _i++;
                    return;
                }
                if (++_items > MaxItems)
                    throw new System.FormatException($"more than {MaxItems} items");
                var name = Name();
                Skip();
                if (_i < s.Length && s[_i] == '{')
                {
                    _i++;
                    var child = new Section();
                    Body(child, depth + 1, topLevel: false);
                    section.Sections[name] = child;
                }
                else if (_i < s.Length && s[_i] == '=')
                {
                    _i++;
                    Skip();
                    section.Values[name] = Value();
                }
                else
                    throw new System.FormatException($"expected '{{' or '=' after '{name}' at {_i}");
            }
        }

        private object Value()
        {
            if (_i >= s.Length)
                throw new System.FormatException("value missing at the end");
            if (s[_i] == '"')
                return Quoted();
            if (s[_i] == '[')
            {
                _i++;
                var list = new List<object>();
                while (true)
                {
                    Skip();
                    if (_i >= s.Length)
                        throw new System.FormatException("list not closed (missing ']')");
                    if (s[_i] == ']')
                    {
                        _i++;
                        return list;
                    }
                    if (s[_i] == ',')
                    {
                        _i++;
                        continue;
                    }
                    if (++_items > MaxItems)
                        throw new System.FormatException($"more than {MaxItems} items");
                    list.Add(s[_i] == '"' ? Quoted() : Number());
                }
            }
            return Number();
        }

        private long Number()
        {
            var start = _i;
            while (_i < s.Length && (char.IsAsciiDigit(s[_i]) || s[_i] == '-'))
                _i++;
            if (_i > start && long.TryParse(s.AsSpan(start, _i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            {
                // floats appear in some versions (e.g. 0.0); keep the integer part
                if (_i < s.Length && s[_i] == '.')
                {
                    _i++;
                    while (_i < s.Length && char.IsAsciiDigit(s[_i]))
                        _i++;
                }
                return v;
            }
            throw new System.FormatException($"expected a number, a string or a list at {start}");
        }

        private string Quoted()
        {
            var sb = new StringBuilder();
            _i++;
            while (_i < s.Length && s[_i] != '"')
            {
                if (s[_i] == '\\' && _i + 1 < s.Length)
                    _i++;
                sb.Append(s[_i++]);
                if (sb.Length > 4096)
                    throw new System.FormatException("string longer than 4096 characters");
            }
            if (_i >= s.Length)
                throw new System.FormatException("string not closed");
            _i++;
            return sb.ToString();
        }

        private string Name()
        {
            var start = _i;
            while (_i < s.Length && (char.IsAsciiLetterOrDigit(s[_i]) || s[_i] is '_' or '-' or '.' or '+'))
                _i++;
            if (_i == start)
                throw new System.FormatException($"expected a name at {_i}, found '{s[_i]}'");
            return s[start.._i];
        }

        private void Skip()
        {
            while (_i < s.Length)
            {
                if (char.IsWhiteSpace(s[_i]) || s[_i] == '\0')
                    _i++;
                else if (s[_i] == '#')
                {
                    while (_i < s.Length && s[_i] != '\n')
                        _i++;
                }
                else
                    break;
            }
        }
    }
}
