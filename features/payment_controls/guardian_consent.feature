@CSW-PAY-1
Feature: Payments need the guardian's consent to the payment agreement
  Payment stays off until the guardian has read the payment service agreement
  and consented to it. The agreement shown has real details: its title, its
  text, the fees and the payment provider. The child cannot consent in the
  guardian's place, and a consent to an agreement the watch never showed does
  not count.

  Background:
    Given a watch bound to its guardian

  Scenario: Payments stay off until the guardian consents
    When the child asks to turn on payments
    Then payments are off until the guardian consents
    When the child tries to pay 5 yuan with the payment password
    Then the watch refuses
    When the guardian consents to the payment agreement shown
    And the child tries to pay 5 yuan with the payment password
    Then the watch allows it

  Scenario: The agreement shown to the guardian has its details
    When the guardian opens the payment agreement
    Then the agreement shows its title, text, fees and provider

  Scenario: The child cannot consent for itself
    When the child asks to turn on payments
    And the child tries to consent to the payment agreement itself
    Then the watch refuses
    And payments are off until the guardian consents

  Scenario: A consent to an agreement the watch never showed does not count
    When the guardian's consent names an agreement the watch did not show
    Then the watch refuses
    And payments are off until the guardian consents

  Scenario: With no guardian bound, nobody consents to payments or sets limits as the guardian
    Given a watch fresh out of the box
    When the guardian's app tries to consent to the payment agreement shown
    Then the watch refuses
    And payments are off until the guardian consents
    When the guardian's app tries to set payment limits
    Then the watch refuses
    And no payment limits are set
