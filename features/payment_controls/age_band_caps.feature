@CSW-PAY-5
Feature: Spending caps by age band
  Even where the guardian set no limits, the watch keeps each payment and
  each calendar month's spending within the profile's caps for the child's
  age band. Where the band's cap is nothing, no payment is possible at all.
  The band's caps are ceilings: a stricter watch may refuse a payment at the
  cap itself, but never one fen above it, and a guardian's own higher limit
  does not lift them.

  Scenario Outline: A payment one fen above the band's per-transaction cap is refused
    Given the child is in age band "<band>"
    And the guardian consents to the payment agreement shown
    When the child tries to pay one fen above the band's per-transaction cap
    Then the watch refuses
    And the refused payment is not in the bill

    Examples:
      | band     |
      | age-3-7  |
      | age-8-13 |

  Scenario Outline: Payments cannot add up past the band's monthly cap, on any day of the month
    Given the child is in age band "<band>"
    And the guardian consents to the payment agreement shown
    When the child pays the band's per-transaction cap again and again, up to the band's monthly cap
    And the child tries to pay one fen past the band's monthly cap
    Then the watch refuses
    And the refused payment is not in the bill
    When the next day of the same month comes
    And the child tries to pay one fen past the band's monthly cap
    Then the watch refuses

    Examples:
      | band     |
      | age-3-7  |
      | age-8-13 |

  Scenario: The guardian's higher limits do not lift the band's caps
    Given the child is in age band "age-8-13"
    And the guardian consents to the payment agreement shown
    When the guardian sets payment limits above the band's caps
    And the child tries to pay one fen above the band's per-transaction cap
    Then the watch refuses
    And the refused payment is not in the bill
