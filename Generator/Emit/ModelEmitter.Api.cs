using System.Linq;
using ModelGen.Generator.Model;
using ModelGen.Generator.Planning;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    internal static partial class ModelEmitter
    {
        private const string Guard = "global::ModelGen.ModelGuard.";

        private static void EmitApi(CodeWriter writer, ModelSpec model, MemoryPlan plan)
        {
            if (model.InputShape.IsSequence)
            {
                EmitSequenceApi(writer, model, plan);
                return;
            }

            var output = Activation(plan.OutputOffset, model.OutputLayer.OutputShape);
            var lossKernel = model.Loss == LossKind.SoftmaxCrossEntropy ? "SoftmaxCrossEntropy" : "MeanSquaredError";

            writer.Line("/// <summary>Runs one example through the model in inference mode (dropout off).</summary>");
            writer.Open("public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output)");
            writer.Line(Guard + "Length(input.Length, 1, InputSize, nameof(input));");
            writer.Line(Guard + "Length(output.Length, 1, OutputSize, nameof(output));");
            writer.Line("RunForward(input, 1, training: false);");
            writer.Line(Slice("_activations", plan.OutputOffset, "OutputSize") + ".CopyTo(output);");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>Runs a mini-batch (examples back to back) through the model in inference mode (dropout off).</summary>");
            writer.Open("public void Forward(global::System.ReadOnlySpan<float> inputs, global::System.Span<float> outputs, int batchSize)");
            writer.Line(Guard + "BatchSize(batchSize, MaxBatchSize);");
            writer.Line(Guard + "Length(inputs.Length, batchSize, InputSize, nameof(inputs));");
            writer.Line(Guard + "Length(outputs.Length, batchSize, OutputSize, nameof(outputs));");
            writer.Line("RunForward(inputs, batchSize, training: false);");
            writer.Line(output + ".CopyTo(outputs);");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>");
            writer.Line("/// Computes the loss of the last <see cref=\"Forward(global::System.ReadOnlySpan{float}, global::System.Span{float}, int)\"/> (or training pass)");
            writer.Line("/// against <paramref name=\"targets\"/> and back-propagates it: <see cref=\"Gradients\"/> is overwritten. Returns the loss.");
            writer.Line("/// </summary>");
            writer.Open("public float Backward(global::System.ReadOnlySpan<float> targets)");
            writer.Line("var batchSize = _forwardBatchSize;");
            writer.Open("if (batchSize == 0)");
            writer.Line("throw new global::System.InvalidOperationException(\"Backward needs a forward pass first: call Forward or ComputeGradients.\");");
            writer.Close();
            if (model.Layers.Any(layer => layer is NormalizationSpec { IsBatch: true }))
            {
                writer.Open("if (!_trainingPass)");
                writer.Line("throw new global::System.InvalidOperationException(\"Backward through BatchNorm needs the batch statistics of a training pass: call ComputeGradients or TrainStep.\");");
                writer.Close();
            }

            writer.Line(Guard + "Length(targets.Length, batchSize, OutputSize, nameof(targets));");
            writer.Line("var loss = global::ModelGen.Kernels.Losses." + lossKernel + "(" + output + ", targets, " + Slice("_deltaA", 0, "batchSize * OutputSize") + ", batchSize, OutputSize);");
            writer.Line("RunBackward(batchSize);");
            writer.Line("return loss;");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>The loss on a mini-batch in inference mode (dropout off), without touching the gradients.</summary>");
            writer.Open("public float ComputeLoss(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets, int batchSize)");
            EmitTrainingGuards(writer);
            writer.Line("RunForward(inputs, batchSize, training: false);");
            writer.Line("return global::ModelGen.Kernels.Losses." + lossKernel + "(" + output + ", targets, " + Slice("_deltaA", 0, "batchSize * OutputSize") + ", batchSize, OutputSize);");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>A training-mode forward pass (dropout on) and a backward pass: fills <see cref=\"Gradients\"/>, returns the loss.</summary>");
            writer.Open("public float ComputeGradients(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets, int batchSize)");
            EmitTrainingGuards(writer);
            writer.Line("RunForward(inputs, batchSize, training: true);");
            writer.Line("return Backward(targets);");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>One training step on a mini-batch: forward, backward, then <paramref name=\"optimizer\"/> updates <see cref=\"Parameters\"/>. Returns the loss before the update.</summary>");
            writer.Open("public float TrainStep(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets, int batchSize, global::ModelGen.Optimizers.Optimizer optimizer)");
            writer.Line("global::System.ArgumentNullException.ThrowIfNull(optimizer);");
            writer.Line("var loss = ComputeGradients(inputs, targets, batchSize);");
            writer.Line("optimizer.Step(_parameters.Span, _gradients);");
            writer.Line("return loss;");
            writer.Close();
            writer.Line();

            writer.Line("/// <summary>Restarts the dropout masks' random sequence, e.g. to replay the same masks.</summary>");
            writer.Line("public void SeedDropout(int seed) => _dropoutRng.Reseed(unchecked((ulong)seed) ^ 0x9E3779B97F4A7C15UL);");
            writer.Line();
        }

        private static void EmitTrainingGuards(CodeWriter writer)
        {
            writer.Line(Guard + "BatchSize(batchSize, MaxBatchSize);");
            writer.Line(Guard + "Length(inputs.Length, batchSize, InputSize, nameof(inputs));");
            writer.Line(Guard + "Length(targets.Length, batchSize, OutputSize, nameof(targets));");
        }
    }
}
