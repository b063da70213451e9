using System.Runtime.CompilerServices;
using System.Globalization;

namespace Assay.Network.Text;

/// <summary>
/// Parsers for the numbers and dates of inventory rows, written for the common forms (<c>12.5</c>,
/// <c>2021-03-01</c>) so that a million rows do not go through the culture-aware parsers; anything
/// else falls back to them with the invariant culture.
/// </summary>
internal static class FastParse
{
    private static readonly double[] Pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>A non-negative or negative decimal; at most 15 significant digits on the fast path, where
    /// mantissa / 10^k of two exactly representable numbers is correctly rounded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryDouble(ReadOnlySpan<char> s, out double value)
    {
        long mantissa = 0;
        var digits = 0;
        var fraction = -1;
        var i = 0;
        var negative = s.Length > 0 && s[0] == '-';
        if (negative)
            i = 1;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c is >= '0' and <= '9')
            {
                if (++digits > 15)
                    return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
                mantissa = mantissa * 10 + (c - '0');
                if (fraction >= 0)
                    fraction++;
            }
            else if (c == '.' && fraction < 0)
                fraction = 0;
            else
                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
        if (digits == 0)
        {
            value = 0;
            return false;
        }
        value = fraction > 0 ? mantissa / Pow10[fraction] : mantissa;
        if (negative)
            value = -value;
        return true;
    }

    /// <summary>A whole number 0..int.MaxValue of decimal digits only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryNonNegativeInt(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 9)
            return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
                return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    /// <summary>An ISO date <c>YYYY-MM-DD</c>, validated (month range, days in month).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryIsoDate(ReadOnlySpan<char> s, out DateOnly date)
    {
        date = default;
        if (s.Length != 10 || s[4] != '-' || s[7] != '-')
            return false;
        if (!TryDigits(s[..4], out var y) || !TryDigits(s.Slice(5, 2), out var m) || !TryDigits(s.Slice(8, 2), out var d))
            return false;
        if (y < 1 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
            return false;
        date = new DateOnly(y, m, d);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
                return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }
}
