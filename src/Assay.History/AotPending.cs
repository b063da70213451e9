using System.Diagnostics.CodeAnalysis;

// Reading an evaluation (EvaluationDocument.Read) still goes through the reflection-based reader
// options (AssayJson.Reading): how evaluations are read is being changed in Assay.Core/Assay.Reports,
// and this call moves to that reader then. Until then the trim and AOT analyzers are silenced for
// that one method here, in the build only: SuppressMessage is not emitted into the assembly, so an
// AOT publish still reports EvaluationDocument.cs as it did, and the rest of the project stays
// guarded by IsAotCompatible. Delete this file when EvaluationDocument reads through generated metadata.
[assembly: SuppressMessage("Trimming", "IL2026:RequiresUnreferencedCode",
    Scope = "member", Target = "~M:Assay.History.EvaluationDocument.Read(System.IO.Stream,System.String)~Assay.Core.Model.Evaluation",
    Justification = "Pending: evaluations are read by reflection until Assay.Core/Assay.Reports provide generated reading metadata.")]
[assembly: SuppressMessage("AOT", "IL3050:RequiresDynamicCode",
    Scope = "member", Target = "~M:Assay.History.EvaluationDocument.Read(System.IO.Stream,System.String)~Assay.Core.Model.Evaluation",
    Justification = "Pending: evaluations are read by reflection until Assay.Core/Assay.Reports provide generated reading metadata.")]
