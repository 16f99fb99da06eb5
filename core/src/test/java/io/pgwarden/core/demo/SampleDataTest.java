package io.pgwarden.core.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SampleDataTest {

    @Test
    void everyRunGeneratesTheSameRows() {
        assertThat(SampleData.people()).isEqualTo(SampleData.people());
        assertThat(SampleData.orders()).isEqualTo(SampleData.orders());
    }

    @Test
    void peopleHaveFakeButWellFormedContactData() {
        assertThat(SampleData.people()).hasSize(SampleData.PEOPLE).allSatisfy(person -> {
            assertThat(person.email()).matches("[a-z.-]+[0-9]+@example\\.com");
            assertThat(person.phone()).matches("\\+1-[2-9][0-9]{2}-555-01[0-9]{2}");
            assertThat(person.cardNumber()).matches("400000[0-9]{10}");
            assertThat(SampleData.luhnCheckDigit(person.cardNumber().substring(0, 15)))
                    .isEqualTo(person.cardNumber().charAt(15) - '0');
        });
        assertThat(SampleData.people().stream().map(SampleData.Person::email).distinct()).hasSize(SampleData.PEOPLE);
    }

    @Test
    void ordersReferenceExistingPeople() {
        Set<Integer> ids = SampleData.people().stream().map(SampleData.Person::id).collect(Collectors.toSet());
        assertThat(SampleData.orders()).hasSize(SampleData.ORDERS)
                .allSatisfy(order -> assertThat(ids).contains(order.personId()))
                .allSatisfy(order -> assertThat(order.amount().scale()).isEqualTo(2));
    }

    @Test
    void luhnCheckDigitMatchesKnownNumbers() {
        // 4111 1111 1111 1111 and 4000 0566 5566 5556 are well-known valid test card numbers
        assertThat(SampleData.luhnCheckDigit("411111111111111")).isEqualTo(1);
        assertThat(SampleData.luhnCheckDigit("400005566556655")).isEqualTo(6);
        assertThat(SampleData.luhnCheckDigit("7992739871")).isEqualTo(3);
    }

    @Test
    void cardNumbersHaveSixteenDigits() {
        Random random = new Random(1);
        for (int i = 0; i < 100; i++) {
            assertThat(SampleData.cardNumber(random)).hasSize(16);
        }
    }
}
