package dev.shortener.web;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** QR codes of short URLs, as PNG images or scalable SVG documents. */
final class QrCodes {

    static final int MIN_SIZE = 64;
    static final int MAX_SIZE = 2048;
    static final int DEFAULT_SIZE = 320;
    static final int MAX_MARGIN = 16;
    static final int DEFAULT_MARGIN = 2;

    private QrCodes() {}

    /** A {@code size}×{@code size} PNG of the QR code with a quiet zone of {@code margin} modules. */
    static byte[] png(String content, int size, int margin) {
        check(content, size, margin);
        BitMatrix matrix;
        try {
            matrix = new QRCodeWriter().encode(content, BarcodeFormat.QR_CODE, size, size, hints(margin));
        } catch (WriterException e) {
            throw notEncodable(e);
        }
        // ZXing grows the image rather than shrink modules below one pixel: refuse instead of exceeding size.
        if (matrix.getWidth() != size || matrix.getHeight() != size) {
            throw new IllegalArgumentException("content is too long for a QR code of " + size + " pixels");
        }
        var out = new ByteArrayOutputStream();
        try {
            MatrixToImageWriter.writeToStream(matrix, "PNG", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** An SVG of the QR code drawn in module units (so it scales without blur), displayed at {@code size} pixels. */
    static String svg(String content, int size, int margin) {
        check(content, size, margin);
        ByteMatrix modules;
        try {
            modules = Encoder.encode(content, ErrorCorrectionLevel.M, hints(margin))
                    .getMatrix();
        } catch (WriterException e) {
            throw notEncodable(e);
        }
        int width = modules.getWidth();
        int total = width + 2 * margin;
        // One path of horizontal runs keeps the document small and free of seams between adjacent modules.
        var path = new StringBuilder();
        for (int y = 0; y < modules.getHeight(); y++) {
            int x = 0;
            while (x < width) {
                if (modules.get(x, y) != 1) {
                    x++;
                    continue;
                }
                int start = x;
                while (x < width && modules.get(x, y) == 1) {
                    x++;
                }
                int run = x - start;
                path.append('M')
                        .append(start + margin)
                        .append(' ')
                        .append(y + margin)
                        .append('h')
                        .append(run)
                        .append("v1h-")
                        .append(run)
                        .append('z');
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + size + "\" height=\"" + size
                + "\" viewBox=\"0 0 " + total + " " + total + "\" shape-rendering=\"crispEdges\">"
                + "<rect width=\"" + total + "\" height=\"" + total + "\" fill=\"#fff\"/>"
                + "<path fill=\"#000\" d=\"" + path + "\"/></svg>\n";
    }

    /** The encoding parameters shared by both formats: level M, UTF-8 (announced by an ECI), the quiet zone. */
    private static Map<EncodeHintType, Object> hints(int margin) {
        return Map.of(
                EncodeHintType.ERROR_CORRECTION,
                ErrorCorrectionLevel.M,
                EncodeHintType.CHARACTER_SET,
                StandardCharsets.UTF_8.name(),
                EncodeHintType.MARGIN,
                margin);
    }

    /** Refuses blank content and sizes or margins out of range. */
    private static void check(String content, int size, int margin) {
        if (content.isBlank()) {
            throw new IllegalArgumentException("content must not be blank");
        }
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "size must be between " + MIN_SIZE + " and " + MAX_SIZE + " pixels, was " + size);
        }
        if (margin < 0 || margin > MAX_MARGIN) {
            throw new IllegalArgumentException(
                    "margin must be between 0 and " + MAX_MARGIN + " modules, was " + margin);
        }
    }

    /** ZXing refuses content beyond the largest QR code version: that is a bad argument, not a server fault. */
    private static IllegalArgumentException notEncodable(WriterException e) {
        return new IllegalArgumentException("content cannot be encoded as a QR code: " + e.getMessage(), e);
    }
}
