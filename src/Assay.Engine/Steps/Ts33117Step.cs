using Assay.Analyzers;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Engine.Steps;

/// <summary>The per-requirement TS 33.117 table from the findings (<see cref="Ts33117Table"/>).</summary>
internal sealed class Ts33117Step : IEvaluationStep
{
    public string Id => "ts33117";

    public Evaluation Apply(Evaluation evaluation, ScanSession session) => Ts33117Table.Apply(evaluation);
}
