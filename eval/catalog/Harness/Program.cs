using System.Diagnostics;
using Assay.Catalog;
using Assay.Core.Pipeline;
using Assay.Formats;
using Assay.Reports;

// usage: Harness INPUT OUTPUT.json [--no-catalog]
// Writes the evaluation JSON of INPUT (catalogers run and consolidated unless --no-catalog) and
// prints "seconds=<wall time of the scan>" on standard output.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Harness INPUT OUTPUT.json [--no-catalog]");
    return 2;
}
var withCatalog = !args.Contains("--no-catalog");
var options = new ScanOptions
{
    Handlers = BuiltinHandlers.Registry,
    Inspectors = withCatalog ? Catalogers.CreateAll() : [],
    ToolName = "assay-eval-catalog",
    ToolVersion = "0.0.0",
};
var watch = Stopwatch.StartNew();
var evaluation = new Scanner(options).Scan(args[0]);
if (withCatalog)
    evaluation = ComponentConsolidator.Consolidate(evaluation);
watch.Stop();
using (var output = File.Create(args[1]))
    new JsonReportWriter().Write(evaluation, output);
Console.WriteLine($"seconds={watch.Elapsed.TotalSeconds:F3} files={evaluation.Files.Count} components={evaluation.Components.Count} errors={evaluation.Errors.Count}");
return 0;
