using System.Collections.Concurrent;

namespace Assay.Core.Model;

/// <summary>
/// One instance of every equal value, for what a scan holds per file until the evaluation is
/// written (file types, rule-check tables): tens of thousands of records share a few dozen values.
/// At most <c>capacity</c> values are shared (a crafted input can make every one differ); past
/// that a value is its own.
/// </summary>
internal sealed class SharedInstances<T>(int capacity, IEqualityComparer<T>? comparer = null) where T : class
{
    private readonly ConcurrentDictionary<T, T> _shared = new(comparer ?? EqualityComparer<T>.Default);
    private int _count; // kept beside the dictionary: its Count takes every lock

    /// <summary>The shared instance equal to <paramref name="value"/>, or <paramref name="value"/> itself.</summary>
    public T Shared(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_shared.TryGetValue(value, out var shared))
            return shared;
        if (Volatile.Read(ref _count) >= capacity)
            return value;
        shared = _shared.GetOrAdd(value, value);
        if (ReferenceEquals(shared, value))
            Interlocked.Increment(ref _count);
        return shared;
    }
}
