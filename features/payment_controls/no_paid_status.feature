@CSW-PAY-6
Feature: Money cannot buy likes, levels, visibility or ranking
  Nothing on the watch induces the child to spend for social standing: the
  store sells no likes, levels, visibility or ranking, and a payment for them
  is refused.

  Scenario: The store offers no likes, levels, visibility or ranking
    Given a watch bound to its guardian
    Then the store offers no likes, levels, visibility or ranking

  @needs_payments
  Scenario Outline: Paying for social standing is refused
    Given a watch bound to its guardian
    And the guardian consents to the payment agreement shown
    When the child tries to pay 1 yuan for <standing>
    Then the watch refuses
    And the refused payment is not in the bill

    Examples:
      | standing         |
      | likes            |
      | a higher level   |
      | more visibility  |
      | a better ranking |
