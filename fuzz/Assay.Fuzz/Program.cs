using Assay.Fuzz;

// Fuzz harnesses for every parser (issue 3: "each reader gets a fuzz harness").
//   dotnet Assay.Fuzz.dll list                       the targets
//   dotnet Assay.Fuzz.dll afl TARGET                 run under afl-fuzz (SharpFuzz out-of-process mode; see fuzz/afl.sh)
//   dotnet Assay.Fuzz.dll smoke TARGET SEEDS SECONDS a built-in mutation loop without AFL (bench/ and eval/ use it)
//   dotnet Assay.Fuzz.dll replay TARGET FILE...      run inputs once (reproduce a crash)
if (args.Length == 0 || args[0] == "list")
{
    foreach (var target in Targets.All.Keys.Order(StringComparer.Ordinal))
        Console.WriteLine(target);
    return 0;
}
if (args.Length < 2 || !Targets.All.TryGetValue(args[1], out var run))
{
    Console.Error.WriteLine("usage: Assay.Fuzz (list | afl TARGET | smoke TARGET SEEDS SECONDS | replay TARGET FILE...); 'list' shows the targets");
    return 2;
}
switch (args[0])
{
    case "afl":
        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            run(buffer.ToArray());
        });
        return 0;
    case "smoke" when args.Length >= 4:
        return Smoke.Run(args[1], run, args[2], TimeSpan.FromSeconds(double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)));
    case "replay":
        foreach (var file in args.Skip(2))
            run(File.ReadAllBytes(file));
        Console.WriteLine("no crash");
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode '{args[0]}'");
        return 2;
}
