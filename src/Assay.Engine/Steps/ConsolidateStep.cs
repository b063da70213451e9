using Assay.Catalog;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Engine.Steps;

/// <summary>One component per (name, version, location) with all its evidence, end of support, and the copies summary (<see cref="ComponentConsolidator"/>).</summary>
internal sealed class ConsolidateStep : IEvaluationStep
{
    public string Id => "consolidate";

    public Evaluation Apply(Evaluation evaluation, ScanSession session) => ComponentConsolidator.Consolidate(evaluation);
}
