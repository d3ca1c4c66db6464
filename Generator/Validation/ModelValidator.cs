using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;
using ModelGen.Generator.Planning;

namespace ModelGen.Generator.Validation
{
    /// <summary>
    /// Infers every layer's shape from the declaration and checks the model is well formed. Produces the
    /// <see cref="ModelSpec"/> only when there are no errors, so emission never sees an invalid model.
    /// </summary>
    internal static class ModelValidator
    {
        /// <summary>
        /// The largest buffer a model may need, in floats: a .NET array's length limit, less the cache line that
        /// an aligned buffer (parameters, activations) allocates beyond its length.
        /// </summary>
        internal const long MaxBufferLength = 0x7FFFFFC7 - (MemoryPlan.LineFloats - 1);

        public static ModelSpec? Validate(ModelDeclaration model, ImmutableArray<Diagnostic>.Builder diagnostics)
        {
            var errors = 0;
            void Report(DiagnosticDescriptor descriptor, Location location, params object[] args)
            {
                var diagnostic = Diagnostic.Create(descriptor, location, args);
                diagnostics.Add(diagnostic);
                if (descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                {
                    errors++;
                }
            }

            if (!Enum.IsDefined(typeof(LossKind), model.Loss))
            {
                Report(DiagnosticDescriptors.UnknownEnumValue, model.ModelLocation, "Model", "Loss", model.Loss);
            }

            if (model.MaxBatchSize <= 0)
            {
                Report(DiagnosticDescriptors.NonPositiveSize, model.ModelLocation, "Model", "MaxBatchSize", model.MaxBatchSize);
            }

            if (model.Input is null)
            {
                Report(DiagnosticDescriptors.MissingInput, model.ModelLocation, model.ClassName);
                return null;
            }

            if (model.Layers.IsEmpty)
            {
                Report(DiagnosticDescriptors.NoLayers, model.ModelLocation, model.ClassName);
            }

            var inputShape = ValidateInput(model.Input, Report);
            if (inputShape is null || errors > 0)
            {
                return null;
            }

            var batch = Math.Max(model.MaxBatchSize, 1);
            var loss = (LossKind)model.Loss;
            var layers = new List<LayerSpec>();
            var counts = new Dictionary<string, int>();
            var shape = inputShape;
            var residuals = new Stack<OpenResidual>();
            long parameters = 0;

            // The activation buffer holds every layer's output for the largest batch: its total must fit one array.
            long activations = MemoryPlan.LineUp((long)inputShape.Capacity * batch); // each output starts on a cache line
            if (activations > MaxBufferLength)
            {
                Report(DiagnosticDescriptors.ModelTooLarge, model.Input.Location, "Input", activations, MaxBufferLength);
                return null;
            }

            for (var i = 0; i < model.Layers.Length; i++)
            {
                var declaration = model.Layers[i];
                counts.TryGetValue(declaration.NamePrefix, out var count);
                counts[declaration.NamePrefix] = ++count;
                var name = declaration.NamePrefix + count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var isLast = i == model.Layers.Length - 1;

                // An embedding may read the model's input or the decoder's.
                var readsInput = i == 0 || layers[layers.Count - 1] is DecoderSpec;
                var layer = LayerRules.Infer(declaration, name, i, readsInput, shape, isLast, loss, residuals, Report);
                if (layer is null)
                {
                    // Later layers' shapes are unknown; stop rather than cascade errors.
                    return null;
                }

                parameters += layer.ParameterCount;
                activations = MemoryPlan.LineUp(activations + (long)layer.OutputShape.Capacity * batch);
                var scratch = layer is RecurrentSpec rnn ? (long)batch * rnn.InputShape.Steps * Math.Max(rnn.Gates, rnn.Directions * rnn.Units) : 0;
                if (parameters > MaxBufferLength || activations > MaxBufferLength || scratch > MaxBufferLength)
                {
                    Report(DiagnosticDescriptors.ModelTooLarge, declaration.Location, declaration.AttributeName, Math.Max(Math.Max(parameters, activations), scratch), MaxBufferLength);
                    return null;
                }

                layers.Add(layer);
                shape = layer.OutputShape;
            }

            foreach (var open in residuals)
            {
                Report(DiagnosticDescriptors.UnbalancedResidual, open.Declaration.Location, "[Residual] opens a block that no [ResidualEnd] closes");
            }

            if (errors == 0)
            {
                EncoderDecoderRules.CheckStates(model, layers, Report);
            }

            if (loss == LossKind.SoftmaxCrossEntropy && layers.Count > 0
                && !(layers[layers.Count - 1] is DenseSpec { Activation: ActivationKind.Identity or ActivationKind.Softmax }))
            {
                Report(
                    DiagnosticDescriptors.LossOutputMismatch,
                    model.Layers[model.Layers.Length - 1].Location,
                    "Loss.SoftmaxCrossEntropy needs the last layer to be [Dense] with Activation.Identity or Activation.Softmax (its outputs are the logits), but it is [" + model.Layers[model.Layers.Length - 1].AttributeName + "]" + ActivationSuffix(layers[layers.Count - 1]));
            }

            return errors > 0
                ? null
                : new ModelSpec(
                    model.Namespace,
                    model.ClassName,
                    loss,
                    model.MaxBatchSize,
                    inputShape,
                    new EquatableArray<LayerSpec>(layers.ToArray()));
        }

        private static string ActivationSuffix(LayerSpec layer) =>
            layer is DenseSpec dense ? " with Activation." + dense.Activation : string.Empty;

        private static Shape? ValidateInput(InputDeclaration input, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (input.MaxSequenceLength < 0)
            {
                report(DiagnosticDescriptors.NonPositiveSize, input.Location, new object[] { "Input", "MaxSequenceLength", input.MaxSequenceLength });
                return null;
            }

            if (input.MaxSequenceLength > 0 && input.Shape.Length != 1)
            {
                report(DiagnosticDescriptors.InvalidArgument, input.Location, new object[] { "Input", "a sequence's step shape", "one dimension (features per step)", input.Shape.Length + " dimensions" });
                return null;
            }

            if (input.Shape.Length != 1 && input.Shape.Length != 3)
            {
                report(DiagnosticDescriptors.UnsupportedInputRank, input.Location, new object[] { input.Shape.Length });
                return null;
            }

            long size = 1;
            foreach (var dimension in input.Shape)
            {
                if (dimension <= 0)
                {
                    report(DiagnosticDescriptors.NonPositiveSize, input.Location, new object[] { "Input", "dimension", dimension });
                    return null;
                }

                size *= dimension;
            }

            size *= Math.Max(input.MaxSequenceLength, 1);
            if (size > MaxBufferLength)
            {
                report(DiagnosticDescriptors.ModelTooLarge, input.Location, new object[] { "Input", size, MaxBufferLength });
                return null;
            }

            return new Shape(new EquatableArray<int>(input.Shape), input.MaxSequenceLength);
        }
    }
}
