package io.pgwarden.core.demo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The demo's sample data: people with names, e-mail addresses, phone numbers and payment card numbers,
 * and their orders. All of it is fake and generated from a fixed seed, so every run has the same rows:
 * e-mail addresses are at example.com, phone numbers are in the 555-01xx range reserved for fiction,
 * and card numbers are Luhn-valid numbers in the 4000-00 test range that no issuer hands out.
 */
final class SampleData {

    /** The people in the sample. */
    static final int PEOPLE = 200;
    /** The orders in the sample. */
    static final int ORDERS = 500;

    private static final long SEED = 20_260_101L;
    private static final String[] FIRST_NAMES = {"Ada", "Alan", "Barbara", "Claude", "Dennis", "Edsger", "Frances",
        "Grace", "Hedy", "Ivan", "Jean", "Ken", "Leslie", "Margaret", "Niklaus", "Ole", "Radia", "Shafi", "Tim", "Yukihiro"};
    private static final String[] LAST_NAMES = {"Lovelace", "Turing", "Liskov", "Shannon", "Ritchie", "Dijkstra",
        "Allen", "Hopper", "Lamarr", "Sutherland", "Sammet", "Thompson", "Lamport", "Hamilton", "Wirth", "Dahl",
        "Perlman", "Goldwasser", "Berners-Lee", "Matsumoto"};
    private static final String[] ITEMS = {"keyboard", "monitor", "desk lamp", "notebook", "headphones", "chair",
        "webcam", "coffee", "cable", "backpack"};

    /** One person. */
    record Person(int id, String name, String email, String phone, String cardNumber) {
    }

    /** One order of a person. */
    record Order(int id, int personId, String item, BigDecimal amount, OffsetDateTime orderedAt) {
    }

    private SampleData() {
    }

    static List<Person> people() {
        Random random = new Random(SEED);
        List<Person> people = new ArrayList<>(PEOPLE);
        for (int id = 1; id <= PEOPLE; id++) {
            String first = FIRST_NAMES[random.nextInt(FIRST_NAMES.length)];
            String last = LAST_NAMES[random.nextInt(LAST_NAMES.length)];
            String email = (first + "." + last).toLowerCase(java.util.Locale.ROOT) + id + "@example.com";
            String phone = String.format("+1-%03d-555-01%02d", 200 + random.nextInt(800), random.nextInt(100));
            people.add(new Person(id, first + " " + last, email, phone, cardNumber(random)));
        }
        return people;
    }

    static List<Order> orders() {
        Random random = new Random(SEED + 1);
        LocalDateTime start = LocalDateTime.of(2025, 1, 1, 0, 0);
        List<Order> orders = new ArrayList<>(ORDERS);
        for (int id = 1; id <= ORDERS; id++) {
            int personId = 1 + random.nextInt(PEOPLE);
            String item = ITEMS[random.nextInt(ITEMS.length)];
            BigDecimal amount = BigDecimal.valueOf(100 + random.nextInt(50_000), 2);
            OffsetDateTime orderedAt = start.plusMinutes(random.nextInt(365 * 24 * 60)).atOffset(ZoneOffset.UTC);
            orders.add(new Order(id, personId, item, amount, orderedAt));
        }
        return orders;
    }

    /** A 16-digit number starting 400000 whose last digit is the Luhn check digit. */
    static String cardNumber(Random random) {
        StringBuilder digits = new StringBuilder("400000");
        while (digits.length() < 15) {
            digits.append(random.nextInt(10));
        }
        return digits.append(luhnCheckDigit(digits)).toString();
    }

    static int luhnCheckDigit(CharSequence payload) {
        int sum = 0;
        for (int i = payload.length() - 1, position = 0; i >= 0; i--, position++) {
            int digit = payload.charAt(i) - '0';
            if (position % 2 == 0) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
        }
        return (10 - sum % 10) % 10;
    }

    /**
     * Creates the tables and loads the rows, in one transaction.
     *
     * @param connection a connection to the (empty) demo database
     */
    static void load(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE people (
                        id          integer PRIMARY KEY,
                        name        text NOT NULL,
                        email       text NOT NULL UNIQUE,
                        phone       text NOT NULL,
                        card_number text NOT NULL
                    )""");
            statement.execute("""
                    CREATE TABLE orders (
                        id         integer PRIMARY KEY,
                        person_id  integer NOT NULL REFERENCES people (id),
                        item       text NOT NULL,
                        amount     numeric(10, 2) NOT NULL,
                        ordered_at timestamptz NOT NULL
                    )""");
            statement.execute("CREATE INDEX orders_person_id ON orders (person_id)");
            insertPeople(connection);
            insertOrders(connection);
            statement.execute("COMMENT ON TABLE people IS 'pgwarden demo: fake people, generated from a fixed seed'");
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static void insertPeople(Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO people (id, name, email, phone, card_number) VALUES (?, ?, ?, ?, ?)")) {
            for (Person person : people()) {
                insert.setInt(1, person.id());
                insert.setString(2, person.name());
                insert.setString(3, person.email());
                insert.setString(4, person.phone());
                insert.setString(5, person.cardNumber());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void insertOrders(Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO orders (id, person_id, item, amount, ordered_at) VALUES (?, ?, ?, ?, ?)")) {
            for (Order order : orders()) {
                insert.setInt(1, order.id());
                insert.setInt(2, order.personId());
                insert.setString(3, order.item());
                insert.setBigDecimal(4, order.amount());
                insert.setObject(5, order.orderedAt());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
