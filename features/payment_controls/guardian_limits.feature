@CSW-PAY-2
Feature: The guardian's payment limits
  The guardian sets how much the child may pay in one transaction and in one
  calendar month, and the watch enforces both, to the fen: a payment exactly
  at a limit is within it, one fen more is not. Splitting a purchase into
  several small payments does not get past the monthly limit, the month's
  spending counts on every day of the month and starts afresh with the next
  one, and the child cannot raise the limits from the watch.

  Background:
    Given a watch bound to its guardian
    And the guardian consents to the payment agreement shown
    And the guardian limits payments to 20 yuan a transaction and 50 yuan a month

  Scenario: A payment one fen above the per-transaction limit is refused
    When the child tries to pay 20.01 yuan with the payment password
    Then the watch refuses
    And the refused payment is not in the bill
    When the child tries to pay 20 yuan with the payment password
    Then the watch allows it

  Scenario: Small payments cannot add up past the monthly limit
    When the child pays 20 yuan to "School canteen"
    And the child pays 20 yuan to "Stationery shop"
    And the child tries to pay 20 yuan with the payment password
    Then the watch refuses
    And the refused payment is not in the bill

  Scenario: Payments up to the monthly limit are allowed, one fen more is not
    When the child pays 20 yuan to "School canteen"
    And the child pays 20 yuan to "Stationery shop"
    And the child tries to pay 10 yuan with the payment password
    Then the watch allows it
    When the child tries to pay 0.01 yuan with the payment password
    Then the watch refuses
    And the refused payment is not in the bill

  Scenario: The month's spending counts the next day and starts afresh next month
    When the child pays 20 yuan to "School canteen"
    And the child pays 20 yuan to "Stationery shop"
    And the child pays 10 yuan to "Xinhua Bookstore"
    And the next day of the same month comes
    And the child tries to pay 0.01 yuan with the payment password
    Then the watch refuses
    When the first day of the next month comes
    And the child tries to pay 20 yuan with the payment password
    Then the watch allows it

  Scenario: The child cannot raise the limits from the watch
    When the child tries to raise the payment limits
    Then the watch refuses
    And the guardian's payment limits are still 20 yuan a transaction and 50 yuan a month
    When the child tries to pay 21 yuan with the payment password
    Then the watch refuses
