@CSW-PRI-5
Feature: Biometric unlocking resists spoofing and can be withdrawn
  Where the watch recognises the child by a biometric, only the live child
  passes: a photo, a mask or a replayed capture does not. The child can
  de-register, after which the biometric no longer unlocks anything.

  Background:
    Given a watch bound to its guardian
    And the child has enrolled a biometric on the watch

  Scenario Outline: The biometric check refuses <spoof>
    When the biometric check is shown the child in person
    Then the watch allows it
    When the biometric check is shown <spoof>
    Then the watch refuses

    Examples:
      | spoof                          |
      | a photo of the child           |
      | a mask of the child's face     |
      | a replay of an earlier capture |

  Scenario: After de-registering, the biometric no longer verifies
    When the biometric check is shown the child in person
    Then the watch allows it
    When the child de-registers the biometric
    And the biometric check is shown the child in person
    Then the watch refuses
