using System.Diagnostics;

namespace Assay.Fuzz;

/// <summary>
/// A short mutation fuzzer without AFL: starts from seed files (the unit-test fixtures), applies
/// bit flips, byte sets, interesting integers, truncation, duplication and splicing, and runs the
/// target. A crash is saved under fuzz/crashes/TARGET-N.bin and the run exits with 1.
/// </summary>
internal static class Smoke
{
    private static readonly int[] Interesting = [0, 1, -1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, int.MaxValue, int.MinValue];

    public static int Run(string name, Action<byte[]> target, string seedDirectory, TimeSpan duration)
    {
        var seeds = Directory.Exists(seedDirectory)
            ? Directory.EnumerateFiles(seedDirectory, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).Length is > 0 and < 256 << 10).Select(Load).Where(b => b.Length is > 0 and <= 4 << 20).ToList()
            : [];
        if (seeds.Count == 0)
            seeds.Add(new byte[64]);
        var random = new Random(name.GetHashCode(StringComparison.Ordinal));
        var clock = Stopwatch.StartNew();
        long runs = 0;
        while (clock.Elapsed < duration)
        {
            var input = Mutate(seeds[random.Next(seeds.Count)], seeds[random.Next(seeds.Count)], random);
            runs++;
            try
            {
                target(input);
            }
            catch (Exception e)
            {
                Directory.CreateDirectory("fuzz/crashes");
                var path = Path.Combine("fuzz/crashes", $"{name.Replace(':', '-')}-{runs}.bin");
                File.WriteAllBytes(path, input);
                Console.WriteLine($"{name}: CRASH after {runs} runs: {e.GetType().Name}: {e.Message} (input saved to {path})");
                return 1;
            }
        }
        Console.WriteLine($"{name}: {runs} runs in {clock.Elapsed.TotalSeconds:0.0} s ({runs / Math.Max(0.001, clock.Elapsed.TotalSeconds):0}/s), no crash, {seeds.Count} seeds");
        return 0;
    }

    /// <summary>A seed file; fixtures stored gzipped (filesystem images) are seeded as the image itself.</summary>
    private static byte[] Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (!path.EndsWith(".gz", StringComparison.Ordinal))
            return bytes;
        try
        {
            using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = gzip.Read(buffer)) > 0 && output.Length <= 4 << 20)
                output.Write(buffer, 0, n);
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return bytes;
        }
    }

    private static byte[] Mutate(byte[] seed, byte[] other, Random random)
    {
        var data = (byte[])seed.Clone();
        var rounds = 1 + random.Next(8);
        for (var r = 0; r < rounds && data.Length > 0; r++)
        {
            switch (random.Next(7))
            {
                case 0:
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                    break;
                case 2 when data.Length >= 4:
                    var at = random.Next(data.Length - 3);
                    BitConverter.TryWriteBytes(data.AsSpan(at, 4), Interesting[random.Next(Interesting.Length)]);
                    if (random.Next(2) == 0)
                        data.AsSpan(at, 4).Reverse();
                    break;
                case 3:
                    data = data[..random.Next(data.Length)];
                    break;
                case 4 when data.Length < 1 << 20:
                    var from = random.Next(data.Length);
                    var len = Math.Min(data.Length - from, 1 + random.Next(256));
                    data = [.. data[..from], .. data.AsSpan(from, len), .. data[from..]];
                    break;
                case 5 when other.Length > 0:
                    var cut = random.Next(data.Length);
                    var start = random.Next(other.Length);
                    data = [.. data[..cut], .. other.AsSpan(start, Math.Min(other.Length - start, 4096))];
                    break;
                default:
                    var pos = random.Next(data.Length);
                    data.AsSpan(pos, Math.Min(data.Length - pos, 1 + random.Next(16))).Fill((byte)(random.Next(2) == 0 ? 0 : 0xff));
                    break;
            }
        }
        return data;
    }
}
