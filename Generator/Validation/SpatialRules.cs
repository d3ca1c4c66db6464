using System;
using Microsoft.CodeAnalysis;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;

namespace ModelGen.Generator.Validation
{
    /// <summary>Shape rules of the layers that work on C × H × W feature maps: convolution and pooling.</summary>
    internal static class SpatialRules
    {
        public static LayerSpec? Conv2D(Conv2DDeclaration conv, string name, Shape input, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (!Positive(conv, "filters", conv.Filters, report)
                || !Positive(conv, "kernel height", conv.KernelHeight, report)
                || !Positive(conv, "kernel width", conv.KernelWidth, report)
                || !Positive(conv, "stride", conv.StrideHeight, report)
                || !Positive(conv, "stride", conv.StrideWidth, report)
                || !LayerRules.KnownActivation(conv, conv.Activation, report)
                || !NeedsImage(conv, input, report))
            {
                return null;
            }

            if (conv.Activation == (int)ActivationKind.Softmax)
            {
                report(DiagnosticDescriptors.SoftmaxNotLast, conv.Location, new object[] { conv.AttributeName });
                return null;
            }

            if (conv.Padding != 0 && conv.Padding != 1)
            {
                report(DiagnosticDescriptors.UnknownEnumValue, conv.Location, new object[] { conv.AttributeName, "Padding", conv.Padding });
                return null;
            }

            var padHeight = Pad(conv, conv.PadHeight, conv.KernelHeight, "PadHeight", report);
            var padWidth = padHeight < 0 ? -1 : Pad(conv, conv.PadWidth, conv.KernelWidth, "PadWidth", report);
            if (padWidth < 0)
            {
                return null;
            }

            int channels = input.Dimensions[0], height = input.Dimensions[1], width = input.Dimensions[2];
            if (conv.KernelHeight > height + (2 * padHeight) || conv.KernelWidth > width + (2 * padWidth))
            {
                report(
                    DiagnosticDescriptors.WindowDoesNotFit,
                    conv.Location,
                    new object[] { conv.AttributeName, conv.KernelHeight + "×" + conv.KernelWidth, (height + (2 * padHeight)) + "×" + (width + (2 * padWidth)) });
                return null;
            }

            var outHeight = ((height + (2 * padHeight) - conv.KernelHeight) / conv.StrideHeight) + 1;
            var outWidth = ((width + (2 * padWidth) - conv.KernelWidth) / conv.StrideWidth) + 1;
            if ((long)conv.Filters * channels * conv.KernelHeight * conv.KernelWidth > ModelValidator.MaxBufferLength
                || (long)conv.Filters * outHeight * outWidth > ModelValidator.MaxBufferLength)
            {
                report(DiagnosticDescriptors.ModelTooLarge, conv.Location, new object[] { conv.AttributeName, (long)conv.Filters * channels * conv.KernelHeight * conv.KernelWidth, ModelValidator.MaxBufferLength });
                return null;
            }

            return new Conv2DSpec(
                name,
                input,
                Image(conv.Filters, outHeight, outWidth),
                conv.Filters,
                conv.KernelHeight,
                conv.KernelWidth,
                conv.StrideHeight,
                conv.StrideWidth,
                padHeight,
                padWidth,
                (ActivationKind)conv.Activation);
        }

        public static LayerSpec? Pool(PoolDeclaration pool, string name, Shape input, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (!Positive(pool, "size", pool.Size, report) || !NeedsImage(pool, input, report))
            {
                return null;
            }

            if (pool.Stride < 0)
            {
                report(DiagnosticDescriptors.NonPositiveSize, pool.Location, new object[] { pool.AttributeName, "stride", pool.Stride });
                return null;
            }

            int channels = input.Dimensions[0], height = input.Dimensions[1], width = input.Dimensions[2];
            if (pool.Size > height || pool.Size > width)
            {
                report(DiagnosticDescriptors.WindowDoesNotFit, pool.Location, new object[] { pool.AttributeName, pool.Size + "×" + pool.Size, height + "×" + width });
                return null;
            }

            var stride = pool.Stride == 0 ? pool.Size : pool.Stride;
            var output = Image(channels, ((height - pool.Size) / stride) + 1, ((width - pool.Size) / stride) + 1);
            return new PoolSpec(name, input, output, pool.IsMax, pool.Size, stride);
        }

        private static Shape Image(int channels, int height, int width) =>
            new(new EquatableArray<int>(new[] { channels, height, width }));

        /// <summary>The padding of one axis: explicit when ≥ 0, else from the Padding mode; −1 after a diagnostic.</summary>
        private static int Pad(Conv2DDeclaration conv, int explicitPad, int kernel, string property, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (explicitPad >= 0)
            {
                return explicitPad;
            }

            if (explicitPad != -1)
            {
                report(DiagnosticDescriptors.InvalidArgument, conv.Location, new object[] { conv.AttributeName, property, "at least 0", explicitPad });
                return -1;
            }

            if (conv.Padding == 0)
            {
                return 0;
            }

            if (kernel % 2 == 0)
            {
                report(DiagnosticDescriptors.InvalidArgument, conv.Location, new object[] { conv.AttributeName, "the kernel size with Padding.Same", "odd (or set PadHeight/PadWidth)", kernel });
                return -1;
            }

            return kernel / 2;
        }

        private static bool Positive(LayerDeclaration layer, string what, int value, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (value > 0)
            {
                return true;
            }

            report(DiagnosticDescriptors.NonPositiveSize, layer.Location, new object[] { layer.AttributeName, what, value });
            return false;
        }

        private static bool NeedsImage(LayerDeclaration layer, Shape input, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (input.Rank == 3)
            {
                return true;
            }

            report(DiagnosticDescriptors.NeedsImageInput, layer.Location, new object[] { layer.AttributeName, input.ToString() });
            return false;
        }
    }
}
