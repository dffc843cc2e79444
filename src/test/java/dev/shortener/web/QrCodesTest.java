package dev.shortener.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** QR codes decode back to exactly the short URL they were made of, in both formats. */
class QrCodesTest {

    private static final Pattern VIEW_BOX = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"");
    private static final Pattern RUN = Pattern.compile("M(\\d+) (\\d+)h(\\d+)v1h-(\\d+)z");
    private static final Pattern PATH = Pattern.compile("<path fill=\"#000\" d=\"([^\"]*)\"/>");

    private static final int PIXELS_PER_MODULE = 4;
    private static final int EXTRA_QUIET_MODULES = 4;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://sho.rt/abc1234",
                "http://localhost:8080/Zx9",
                "https://sho.rt/caf\u00e9/\u65e5\u672c?q=\u00fcber&lang=de#top",
                "https://sho.rt/a-very-long-short-code-with-query?utm_source=newsletter&utm_medium=email&x=1"
            })
    void pngDecodesToTheExactShortUrl(String url) throws Exception {
        BufferedImage image = readPng(QrCodes.png(url, QrCodes.DEFAULT_SIZE, QrCodes.DEFAULT_MARGIN));

        assertThat(decode(image)).isEqualTo(url);
    }

    @ParameterizedTest
    @ValueSource(ints = {QrCodes.MIN_SIZE, 100, QrCodes.DEFAULT_SIZE, 333, QrCodes.MAX_SIZE})
    void pngIsExactlyTheRequestedSizeAndStillDecodes(int size) throws Exception {
        BufferedImage image = readPng(QrCodes.png("https://sho.rt/abc1234", size, QrCodes.DEFAULT_MARGIN));

        assertThat(image.getWidth()).isEqualTo(size);
        assertThat(image.getHeight()).isEqualTo(size);
        assertThat(decode(image)).isEqualTo("https://sho.rt/abc1234");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://sho.rt/abc1234",
                "https://sho.rt/caf\u00e9/\u65e5\u672c?q=\u00fcber&lang=de#top",
                "https://sho.rt/a-very-long-short-code-with-query?utm_source=newsletter&utm_medium=email&x=1"
            })
    void svgPathRasterizedDecodesToTheExactShortUrl(String url) throws Exception {
        String svg = QrCodes.svg(url, QrCodes.DEFAULT_SIZE, QrCodes.DEFAULT_MARGIN);

        assertThat(decode(rasterize(svg))).isEqualTo(url);
    }

    @Test
    void svgWithoutMarginStillDecodesOnceSurroundedByWhite() throws Exception {
        String svg = QrCodes.svg("https://sho.rt/abc1234", QrCodes.DEFAULT_SIZE, 0);

        assertThat(decode(rasterize(svg))).isEqualTo("https://sho.rt/abc1234");
    }

    @Test
    void svgIsOneDocumentWithTheRequestedDisplaySizeABackgroundAndOnePath() {
        String svg = QrCodes.svg("https://sho.rt/abc1234", 512, QrCodes.DEFAULT_MARGIN);

        assertThat(svg)
                .startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"512\" height=\"512\" ")
                .contains("shape-rendering=\"crispEdges\"")
                .contains("fill=\"#fff\"")
                .endsWith("</svg>\n");
        assertThat(PATH.matcher(svg).results().count()).isEqualTo(1);
    }

    @Test
    void marginWidensTheViewBoxByTwiceItsModules() {
        int without = viewBox(QrCodes.svg("https://sho.rt/abc1234", QrCodes.DEFAULT_SIZE, 0));
        int withFour = viewBox(QrCodes.svg("https://sho.rt/abc1234", QrCodes.DEFAULT_SIZE, 4));
        int withMax = viewBox(QrCodes.svg("https://sho.rt/abc1234", QrCodes.DEFAULT_SIZE, QrCodes.MAX_MARGIN));

        assertThat(withFour).isEqualTo(without + 8);
        assertThat(withMax).isEqualTo(without + 2 * QrCodes.MAX_MARGIN);
    }

    @Test
    void svgRunsStartInsideTheMargin() {
        String svg = QrCodes.svg("https://sho.rt/abc1234", QrCodes.DEFAULT_SIZE, 3);
        int total = viewBox(svg);

        Matcher run = RUN.matcher(path(svg));
        while (run.find()) {
            int x = Integer.parseInt(run.group(1));
            int y = Integer.parseInt(run.group(2));
            int length = Integer.parseInt(run.group(3));
            assertThat(x).isGreaterThanOrEqualTo(3);
            assertThat(y).isBetween(3, total - 4);
            assertThat(x + length).isLessThanOrEqualTo(total - 3);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, 0, QrCodes.MIN_SIZE - 1, QrCodes.MAX_SIZE + 1})
    void sizeOutOfRangeIsRefused(int size) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QrCodes.png("https://sho.rt/abc1234", size, QrCodes.DEFAULT_MARGIN))
                .withMessageContaining("size must be between 64 and 2048 pixels");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QrCodes.svg("https://sho.rt/abc1234", size, QrCodes.DEFAULT_MARGIN))
                .withMessageContaining("size must be between 64 and 2048 pixels");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, QrCodes.MAX_MARGIN + 1, Integer.MAX_VALUE})
    void marginOutOfRangeIsRefused(int margin) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QrCodes.png("https://sho.rt/abc1234", QrCodes.DEFAULT_SIZE, margin))
                .withMessageContaining("margin must be between 0 and 16 modules");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QrCodes.svg("https://sho.rt/abc1234", QrCodes.DEFAULT_SIZE, margin))
                .withMessageContaining("margin must be between 0 and 16 modules");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n"})
    void blankContentIsRefused(String content) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QrCodes.png(content, QrCodes.DEFAULT_SIZE, QrCodes.DEFAULT_MARGIN))
                .withMessageContaining("content must not be blank");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QrCodes.svg(content, QrCodes.DEFAULT_SIZE, QrCodes.DEFAULT_MARGIN))
                .withMessageContaining("content must not be blank");
    }

    @Test
    void contentBeyondTheLargestQrCodeIsRefusedAsABadArgument() {
        String huge = "https://sho.rt/" + "x".repeat(5_000);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> QrCodes.png(huge, QrCodes.DEFAULT_SIZE, QrCodes.DEFAULT_MARGIN))
                .withMessageContaining("cannot be encoded as a QR code");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> QrCodes.svg(huge, QrCodes.DEFAULT_SIZE, QrCodes.DEFAULT_MARGIN))
                .withMessageContaining("cannot be encoded as a QR code");
    }

    @Test
    void contentTooDenseForTheRequestedPixelsIsRefusedRatherThanEnlarged() {
        String dense = "https://sho.rt/" + "x".repeat(1_000);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> QrCodes.png(dense, QrCodes.MIN_SIZE, QrCodes.DEFAULT_MARGIN))
                .withMessageContaining("too long for a QR code of 64 pixels");
    }

    /** The text of a QR code PNG, as ZXing reads it. */
    static String decodePng(byte[] png) throws Exception {
        return decode(readPng(png));
    }

    /** The text of a QR code SVG of {@link QrCodes#svg}, drawn back into pixels and read by ZXing. */
    static String decodeSvg(String svg) throws Exception {
        return decode(rasterize(svg));
    }

    private static BufferedImage readPng(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("a PNG image").isNotNull();
        return image;
    }

    /**
     * Reads the module grid of a clean render directly: ZXing's finder-pattern detector, made for camera
     * images, misses about 2% of perfect synthetic codes of short URLs, which made tests fail at random.
     */
    private static String decode(BufferedImage image) throws Exception {
        var bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)));
        return new QRCodeReader()
                .decode(bitmap, Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE))
                .getText();
    }

    private static int viewBox(String svg) {
        Matcher matcher = VIEW_BOX.matcher(svg);
        assertThat(matcher.find()).as("a viewBox in %s", svg).isTrue();
        assertThat(matcher.group(1)).isEqualTo(matcher.group(2));
        return Integer.parseInt(matcher.group(1));
    }

    private static String path(String svg) {
        Matcher matcher = PATH.matcher(svg);
        assertThat(matcher.find()).as("a path in %s", svg).isTrue();
        return matcher.group(1);
    }

    /** Draws the path's runs back into pixels: the module grid as the SVG describes it, plus extra white around. */
    private static BufferedImage rasterize(String svg) {
        int total = viewBox(svg);
        String d = path(svg);
        assertThat(RUN.matcher(d).replaceAll(""))
                .as("nothing but runs in the path")
                .isEmpty();

        int border = EXTRA_QUIET_MODULES * PIXELS_PER_MODULE;
        int pixels = total * PIXELS_PER_MODULE + 2 * border;
        var image = new BufferedImage(pixels, pixels, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, pixels, pixels);
            g.setColor(Color.BLACK);
            Matcher run = RUN.matcher(d);
            while (run.find()) {
                int x = Integer.parseInt(run.group(1));
                int y = Integer.parseInt(run.group(2));
                int length = Integer.parseInt(run.group(3));
                assertThat(run.group(4)).as("each run closes on itself").isEqualTo(run.group(3));
                g.fillRect(
                        border + x * PIXELS_PER_MODULE,
                        border + y * PIXELS_PER_MODULE,
                        length * PIXELS_PER_MODULE,
                        PIXELS_PER_MODULE);
            }
        } finally {
            g.dispose();
        }
        return image;
    }
}
